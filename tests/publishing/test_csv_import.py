"""CSV import of posts: the dry run (times on the brand's clock, offsets, a time the clocks skip,
limits, unknown platforms, formulas, encodings, size and row caps) and the import (drafts or
scheduled, all or nothing per row)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import time_machine

from apps.posts.models import Post, PostCopy, PostOrigin, PostStatus
from apps.publishing import csv_import
from apps.publishing.csv_export import csv_export_text
from apps.publishing.csv_import import CsvRefused, csv_import_commit, csv_import_plan
from apps.publishing.models import Publication, PublicationStatus

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # brand in New York: 07:00 EST
HEADER = "text,platforms,date,time,datetime\n"


def plan(brand, body: str, mode="draft", header=HEADER):
    return csv_import_plan(brand=brand, data=(header + body).encode(), mode=mode, now=NOW)


def only_row(brand, body: str, **kw):
    rows = plan(brand, body, **kw).rows
    assert len(rows) == 1
    return rows[0]


def test_a_date_and_time_are_read_on_the_brands_clock(brand):
    row = only_row(brand, "Hello,x,2027-03-02,09:30,\n")
    assert row.ok, row.errors
    assert row.at == datetime(2027, 3, 2, 14, 30, tzinfo=UTC)  # EST is UTC-5
    assert row.local == "Tue 2 Mar 2027, 09:30 EST"


def test_summer_time_uses_the_summer_offset(brand):
    assert only_row(brand, "Hi,x,2027-07-02,09:30,\n").at == datetime(2027, 7, 2, 13, 30, tzinfo=UTC)


def test_a_datetime_with_an_offset_is_that_instant(brand):
    row = only_row(brand, "Hi,linkedin,,,2027-03-02T09:30+01:00\n")
    assert row.ok and row.at == datetime(2027, 3, 2, 8, 30, tzinfo=UTC)
    assert only_row(brand, "Hi,linkedin,,,2027-03-02T09:30Z\n").at == datetime(2027, 3, 2, 9, 30, tzinfo=UTC)


def test_a_datetime_without_an_offset_is_the_brands_clock(brand):
    assert only_row(brand, "Hi,x,,,2027-03-02 09:30\n").at == datetime(2027, 3, 2, 14, 30, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_a_row_error(brand):
    # 14 March 2027, New York: clocks jump from 2:00 to 3:00.
    row = only_row(brand, "Hi,x,2027-03-14,02:30,\n")
    assert not row.ok
    assert "does not exist on Sunday, March 14 in America/New_York" in row.errors[0]
    assert row.at is None


def test_a_time_that_happens_twice_uses_the_first_and_says_so(brand):
    row = only_row(brand, "Hi,x,2027-11-07,01:30,\n")
    assert row.ok and row.at == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # EDT, UTC-4
    assert "happens twice" in row.notes[0]


def test_a_time_in_the_past_is_a_row_error(brand):
    row = only_row(brand, "Hi,x,2027-03-01,06:59,\n")
    assert "has already passed" in row.errors[0]


def test_an_unknown_platform_is_a_row_error(brand):
    row = only_row(brand, 'Hi,"x, myspace",2027-03-02,09:30,\n')
    assert row.errors == ["Unknown platform: myspace. Use x, linkedin or sandbox."]


def test_text_over_xs_limit_is_a_row_error_naming_the_platform(brand):
    row = only_row(brand, f'{"a" * 281},"x, linkedin",2027-03-02,09:30,\n')
    assert not row.ok and row.errors[0].startswith("X: ")
    assert only_row(brand, f"{'a' * 281},linkedin,2027-03-02,09:30,\n").ok


def test_thread_parts_make_an_x_thread(brand):
    row = only_row(
        brand,
        "One,x,2027-03-02,09:30,,Two,Three\n",
        header="text,platforms,date,time,datetime,text_2,text_3\n",
    )
    assert row.ok and row.parts == ["One", "Two", "Three"]
    assert row.draft.is_thread()


def test_a_gap_in_the_thread_parts_is_an_error(brand):
    row = only_row(brand, "One,x,,,,,Three\n", header="text,platforms,date,time,datetime,text_2,text_3\n")
    assert "thread part is empty" in row.errors[0]


def test_date_without_time_and_both_ways_at_once_are_errors(brand):
    assert "Fill both date and time" in only_row(brand, "Hi,x,2027-03-02,,\n").errors[0]
    assert "not both" in only_row(brand, "Hi,x,2027-03-02,09:00,2027-03-02T09:00Z\n").errors[0]
    assert "is not a date" in only_row(brand, "Hi,x,02/03/2027,09:00,\n").errors[0]
    assert "is not a time" in only_row(brand, "Hi,x,2027-03-02,9am,\n").errors[0]


def test_scheduling_needs_a_time(brand):
    assert "No time" in only_row(brand, "Hi,x,,,\n", mode="schedule").errors[0]
    assert only_row(brand, "Hi,x,,,\n", mode="draft").ok


def test_media_and_first_comment_are_refused_until_supported(brand):
    header = "text,platforms,date,time,datetime,media,first_comment\n"
    row = only_row(brand, "Hi,x,,,,logo.png,\n", header=header)
    assert row.errors == [
        "media: not in the media library: logo.png.",
        "media: media columns are not supported yet (posts cannot carry media yet); leave the column empty.",
    ]
    from apps.media.models import MediaAsset

    MediaAsset.objects.create(
        brand=brand,
        kind="image",
        file="m/logo.png",
        original_name="logo.png",
        mime="image/png",
        bytes=1,
        width=1,
        height=1,
        sha256="0" * 64,
    )
    row = only_row(brand, "Hi,x,,,,logo.png; team.jpg,\n", header=header)
    assert row.errors[0] == "media: not in the media library: team.jpg."
    row = only_row(brand, "Hi,x,,,,,Thanks!\n", header=header)
    assert "first comments are not supported yet" in row.errors[0]


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://evil","x")', "+SUM(A1:A2)", "@SUM(1+1)", "-cmd|' /C calc'!A0", "=1+1"]
)
def test_a_formula_in_the_text_is_refused(brand, cell):
    row = only_row(brand, f'"{cell.replace(chr(34), chr(34) * 2)}",x,,,\n')
    assert "starts like a spreadsheet formula" in row.errors[0]


def test_mentions_bullets_and_an_escaped_formula_are_text(brand):
    assert only_row(brand, "@ana thanks for the visit,x,,,\n").parts == ["@ana thanks for the visit"]
    assert only_row(brand, "- a bullet,x,,,\n").parts == ["- a bullet"]
    assert only_row(brand, "'=2+2 is four,x,,,\n").parts == ["=2+2 is four"]


def test_a_formula_in_another_cell_is_refused(brand):
    row = only_row(brand, "Hi,=x,,,\n")
    assert "like a spreadsheet formula" in row.errors[0]


def test_a_byte_order_mark_is_fine(brand):
    data = ("\ufeff" + HEADER + "Café,x,,,\n").encode()
    assert csv_import_plan(brand=brand, data=data, now=NOW).rows[0].parts == ["Café"]


def test_a_windows_1252_file_is_refused_with_the_encoding_needed(brand):
    data = (HEADER + "Café crème,x,,,\n").encode("cp1252")
    with pytest.raises(CsvRefused, match=r"not UTF-8 \(line 2 .*Windows-1252.*CSV UTF-8"):
        csv_import_plan(brand=brand, data=data, now=NOW)


def test_a_utf16_file_is_refused(brand):
    with pytest.raises(CsvRefused, match="UTF-16"):
        csv_import_plan(brand=brand, data=(HEADER + "Hi,x,,,\n").encode("utf-16"), now=NOW)


def test_missing_columns_are_named(brand):
    with pytest.raises(CsvRefused, match="Missing columns: platforms, date and time, or datetime"):
        csv_import_plan(brand=brand, data=b"text,when\nHi,tomorrow\n", now=NOW)


def test_unknown_columns_are_ignored_and_listed(brand):
    result = plan(brand, "Hi,x,,,,7\n", header="text,platforms,date,time,datetime,id\n")
    assert result.ignored_columns == ["id"] and result.rows[0].ok


def test_more_than_5000_rows_is_refused_and_10000_fast(brand):
    body = "Hi,x,,,\n" * 10_000
    started = time.perf_counter()
    with pytest.raises(CsvRefused, match="more than 5,000 rows"):
        plan(brand, body)
    assert time.perf_counter() - started < 1


def test_a_file_over_the_size_limit_is_refused(brand):
    with pytest.raises(CsvRefused, match="the limit is 5 MB"):
        plan(brand, "a" * (csv_import.MAX_BYTES + 1) + ",x,,,\n")


def test_an_empty_file_and_a_header_alone_are_refused(brand):
    with pytest.raises(CsvRefused, match="empty"):
        csv_import_plan(brand=brand, data=b"  \n", now=NOW)
    with pytest.raises(CsvRefused, match="no rows"):
        csv_import_plan(brand=brand, data=HEADER.encode(), now=NOW)


def test_the_dry_run_writes_nothing(brand):
    plan(brand, "Hi,x,2027-03-02,09:30,\nBad,nope,,,\n")
    assert not Post.objects.exists()


# --- the import ---------------------------------------------------------------------------------


def test_import_as_drafts_creates_imported_posts_with_their_planned_time(brand, owner):
    body = HEADER + "Hello X,x,2027-03-02,09:30,\nHello LinkedIn,linkedin,,,\nBad,nope,,,\n"
    result = csv_import_commit(brand=brand, user=owner, data=body.encode(), now=NOW)
    assert len(result.created) == 2 and [r.line for r in result.failed] == [4]
    assert result.summary == "2 posts created as drafts; 1 row not imported."
    posts = list(Post.objects.order_by("pk"))
    assert [p.origin for p in posts] == [PostOrigin.IMPORTED] * 2
    assert [p.status for p in posts] == [PostStatus.DRAFT] * 2
    assert posts[0].scheduled_for == datetime(2027, 3, 2, 14, 30, tzinfo=UTC)
    assert posts[1].scheduled_for is None
    assert PostCopy.objects.get(post=posts[0]).parts == ["Hello X"]
    assert not Publication.objects.exists()


def test_import_and_schedule_puts_each_row_on_the_calendar(brand, owner):
    body = HEADER + "One,x,2027-03-02,09:30,\nTwo,sandbox,,,2027-03-03T10:00Z\n"
    with time_machine.travel(NOW, tick=False):
        result = csv_import_commit(brand=brand, user=owner, data=body.encode(), mode="schedule", now=NOW)
    assert len(result.created) == 2, [r.errors for r in result.failed]
    assert set(Post.objects.values_list("status", flat=True)) == {PostStatus.SCHEDULED}
    times = sorted(
        Publication.objects.filter(status=PublicationStatus.SCHEDULED).values_list("scheduled_for", flat=True)
    )
    assert times == [datetime(2027, 3, 2, 14, 30, tzinfo=UTC), datetime(2027, 3, 3, 10, 0, tzinfo=UTC)]


def test_a_row_whose_scheduling_fails_leaves_nothing_of_it(brand, owner, monkeypatch):
    from django.core.exceptions import ValidationError

    calls = []

    def failing_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationError({"at": "The accounts are busy."})
        return real(**kwargs)

    real = csv_import.post_schedule
    monkeypatch.setattr(csv_import, "post_schedule", failing_second)
    body = HEADER + "One,x,2027-03-02,09:30,\nTwo,x,2027-03-02,10:30,\nThree,x,2027-03-02,11:30,\n"
    with time_machine.travel(NOW, tick=False):
        result = csv_import_commit(brand=brand, user=owner, data=body.encode(), mode="schedule", now=NOW)
    assert [r.line for r in result.failed] == [3]
    assert result.failed[0].errors == ["The accounts are busy."]
    texts = sorted(c.parts[0] for c in PostCopy.objects.all())
    assert texts == ["One", "Three"]  # no half-created "Two": no post, no copy, no publication
    assert Post.objects.count() == 2 and Publication.objects.count() == 2


def test_an_exported_file_imports_back_to_the_same_text(brand, owner):
    body = HEADER + '"\'=not a formula, just text",x,,,\n"@ana, see you",linkedin,,,\n'
    csv_import_commit(brand=brand, user=owner, data=body.encode(), now=NOW)
    exported = csv_export_text(brand=brand)
    assert "'=not a formula" in exported and "'@ana, see you" in exported
    Post.objects.all().delete()
    csv_import_commit(brand=brand, user=owner, data=exported.encode(), now=NOW)
    assert sorted(c.parts[0] for c in PostCopy.objects.all()) == [
        "=not a formula, just text",
        "@ana, see you",
    ]


def test_the_template_csv_passes_its_own_dry_run(brand):
    result = csv_import_plan(brand=brand, data=csv_import.csv_template(now=NOW).encode(), now=NOW)
    assert len(result.rows) == 4 and all(r.ok for r in result.rows), [r.errors for r in result.rows]


# --- the page and the API -----------------------------------------------------------------------


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def upload(client, brand, body: bytes, mode="draft", name="posts.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/brand/{brand.pk}/posts/import/", {"file": SimpleUploadedFile(name, body, "text/csv"), "mode": mode}
    )


def test_the_page_shows_the_dry_run_then_imports_once(signed_in, brand):
    body = (HEADER + "Good one,x,2030-03-02,09:30,\nBad one,myspace,2030-03-02,10:30,\n").encode()
    response = upload(signed_in, brand, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 rows: <strong>1 ready</strong>, <strong>1 with errors</strong>" in page
    assert "Unknown platform: myspace." in page and "Import 1 draft" in page
    assert not Post.objects.exists()
    token = response.context["token"]
    done = signed_in.post(f"/brand/{brand.pk}/posts/import/commit/", {"token": token, "mode": "draft"})
    assert "1 post created as drafts; 1 row not imported." in done.content.decode()
    assert Post.objects.get().origin == PostOrigin.IMPORTED
    again = signed_in.post(f"/brand/{brand.pk}/posts/import/commit/", {"token": token, "mode": "draft"})
    assert again.status_code == 400 and "already imported or has expired" in again.content.decode()
    assert Post.objects.count() == 1


def test_the_page_says_why_a_file_is_refused_next_to_the_field(signed_in, brand):
    response = upload(signed_in, brand, (HEADER + "Café,x,,,\n").encode("cp1252"))
    assert response.status_code == 400
    assert 'id="csv-file-error"' in response.content.decode() and "not UTF-8" in response.content.decode()
    assert "Choose a CSV file" in signed_in.post(f"/brand/{brand.pk}/posts/import/").content.decode()


def test_another_brands_import_page_is_404(signed_in, other_brand):
    assert signed_in.get(f"/brand/{other_brand.pk}/posts/import/").status_code == 404
    assert upload(signed_in, other_brand, (HEADER + "Hi,x,,,\n").encode()).status_code == 404
    assert signed_in.get(f"/brand/{other_brand.pk}/posts/import/template.csv").status_code == 404


def test_an_upload_is_only_imported_by_whoever_uploaded_it(signed_in, brand, client):
    from tests.factories import MembershipFactory, UserFactory

    token = upload(signed_in, brand, (HEADER + "Hi,x,,,\n").encode()).context["token"]
    colleague = UserFactory(role="brand")
    MembershipFactory(brand=brand, user=colleague)
    client.force_login(colleague)
    response = client.post(f"/brand/{brand.pk}/posts/import/commit/", {"token": token})
    assert response.status_code == 400 and not Post.objects.exists()


def test_the_template_csv_downloads(signed_in, brand):
    response = signed_in.get(f"/brand/{brand.pk}/posts/import/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("text,platforms,date,time,datetime,text_2,text_3")


def test_the_api_dry_run_and_commit(signed_in, brand):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (HEADER + "Good,x,2030-03-02,09:30,\nGap,x,2030-03-10,02:30,\n").encode()
    url = f"/api/v1/brands/{brand.pk}/posts/import"
    dry = signed_in.post(url, {"file": SimpleUploadedFile("p.csv", body)})
    assert dry.status_code == 200, dry.content
    data = dry.json()
    assert data["dry_run"] and [r["errors"] == [] for r in data["rows"]] == [True, False]
    assert "clocks jump from 2:00 to 3:00" in data["rows"][1]["errors"][0]
    assert not Post.objects.exists()
    done = signed_in.post(url + "?dry_run=false&mode=schedule", {"file": SimpleUploadedFile("p.csv", body)})
    assert done.status_code == 201, done.content
    assert done.json()["created"] == 1 and done.json()["rows"][0]["outcome"] == "scheduled"
    assert Post.objects.get().status == PostStatus.SCHEDULED


def test_the_api_refuses_a_bad_file_with_a_reason(signed_in, brand, other_brand):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/api/v1/brands/{brand.pk}/posts/import"
    response = signed_in.post(url, {"file": SimpleUploadedFile("p.csv", b"text\nHi\n")})
    assert response.status_code == 422 and "Missing columns" in response.json()["detail"]
    response = signed_in.post(url + "?mode=later", {"file": SimpleUploadedFile("p.csv", b"text\nHi\n")})
    assert response.status_code == 422
    other = f"/api/v1/brands/{other_brand.pk}/posts/import"
    assert signed_in.post(other, {"file": SimpleUploadedFile("p.csv", b"x")}).status_code == 404


def test_scheduling_needs_an_account_that_can_publish(brand):
    from apps.brands.models import SocialConnection

    SocialConnection.objects.filter(brand=brand).delete()  # not even the Sandbox
    row = only_row(brand, "Hi,x,2027-03-02,09:30,\n", mode="schedule")
    assert "No connected account can publish it: connect X first" in row.errors[0]
    assert only_row(brand, "Hi,x,2027-03-02,09:30,\n", mode="draft").ok


def test_scheduling_is_refused_when_the_importer_may_not_approve_their_own_posts(brand, owner):
    from tests.factories import MembershipFactory, UserFactory

    brand.posts_need_approval = True
    brand.save(update_fields=["posts_need_approval"])
    MembershipFactory(brand=brand, user=UserFactory(role="brand"))  # a second owner can approve
    body = (HEADER + "Hi,x,2027-03-02,09:30,\n").encode()
    with pytest.raises(CsvRefused, match=r"cannot approve your own post.*Import the posts as drafts"):
        csv_import_commit(brand=brand, user=owner, data=body, mode="schedule", now=NOW)
    assert not Post.objects.exists()
    assert len(csv_import_commit(brand=brand, user=owner, data=body, mode="draft", now=NOW).created) == 1
