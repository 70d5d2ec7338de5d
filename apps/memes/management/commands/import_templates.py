"""Import meme templates from a folder of images and a JSON config (the starter set by default).

The config is a JSON list; each entry is an object with:

- ``file`` (required): image path relative to the folder (JPEG, PNG, GIF or WebP; animated GIF and
  WebP keep their frames). Checked with Pillow against the renderer's limits (40 MP per frame,
  200 frames, 20 MB).
- ``name`` (required): display name.
- ``slug``: unique key (default: the name slugified); entries are matched to templates by slug.
- ``tags``: list of words (or a comma-separated string).
- ``boxes``: caption boxes, a list of ``{x, y, w, h, align, valign, uppercase}`` with x/y/w/h as
  fractions (0..1) of the image, align left/center/right, valign top/middle/bottom (missing
  boxes: top and bottom captions).
- ``source``, ``licence``, ``author``: where the image comes from and under which terms.

Each entry is imported on its own: a broken one (missing file, not an image, too large, bad box)
is reported and skipped, nothing of it is stored, and the others still import.
"""

from django.core.management.base import BaseCommand, CommandError

from apps.memes.models import MemeTemplate
from apps.memes.services import CONFIG_NAME, template_import


class Command(BaseCommand):
    help = (
        "Import meme templates from FOLDER (default: the starter set) described by a JSON config "
        f"(default: FOLDER/{CONFIG_NAME}): a list of objects with file and name (required), slug, "
        "tags (list), boxes (list of {x, y, w, h, align, valign, uppercase}, fractions of the "
        "image), source, licence and author. Existing slugs are skipped unless --update."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", help="Folder of images (default: the starter set).")
        parser.add_argument("--config", help=f"Config file (default: {CONFIG_NAME} in the folder).")
        parser.add_argument(
            "--status",
            choices=[MemeTemplate.Status.APPROVED, MemeTemplate.Status.PENDING],
            default=MemeTemplate.Status.APPROVED,
            help="Status given to the imported templates (default: approved).",
        )
        parser.add_argument("--update", action="store_true", help="Update templates whose slug exists.")

    def handle(self, *args, folder=None, config=None, status="approved", update=False, **options):
        try:
            report = template_import(folder=folder, config=config, status=status, update=update)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for slug in report.created:
            self.stdout.write(f"created  {slug}")
        for slug in report.updated:
            self.stdout.write(f"updated  {slug}")
        for label, reason in report.skipped:
            self.stdout.write(self.style.WARNING(f"skipped  {label}: {reason}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.created)} created, {len(report.updated)} updated, {len(report.skipped)} skipped."
            )
        )
