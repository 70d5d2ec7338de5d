"""Generated graphics on S3-compatible storage: a local S3 server (moto's, speaking the S3 wire
protocol over HTTP) stands in for AWS, and the real boto3/django-storages code runs against it."""

import boto3
import pytest

from apps.integrations.images.base import GraphicSpec, graphic_generate
from apps.integrations.images.storage import graphic_delete, graphic_store
from project.settings import media_storage


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-central-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(
        Bucket="smai-media", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    # Changing STORAGES makes Django rebuild default_storage (its setting_changed receiver).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage(
            bucket="smai-media",
            endpoint_url=s3_server,
            region="eu-central-1",
            access_key="test",
            secret_key="test",
        ),
    }
    yield client


def test_without_a_bucket_files_stay_on_local_disk():
    assert media_storage(bucket="", endpoint_url="", region="", access_key="", secret_key="") == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_graphics_and_their_variants_are_stored_in_the_bucket_privately(s3_bucket, s3_server):
    graphic = graphic_generate(
        GraphicSpec(kind="post_card", headline="Instant payments go live", brand_name="Ledgerly")
    )
    stored = graphic_store(graphic, path_prefix="posts/1/graphics")
    keys = {o["Key"] for o in s3_bucket.list_objects_v2(Bucket="smai-media")["Contents"]}
    assert keys == {stored[v]["name"] for v in ("full", "medium", "thumbnail")}
    full = s3_bucket.get_object(Bucket="smai-media", Key=stored["full"]["name"])
    assert full["Body"].read() == graphic.png
    acl = s3_bucket.get_object_acl(Bucket="smai-media", Key=stored["full"]["name"])
    assert not [g for g in acl["Grants"] if g["Grantee"].get("URI", "").endswith("AllUsers")]
    assert graphic_delete(stored) == 3
    assert "Contents" not in s3_bucket.list_objects_v2(Bucket="smai-media")
