"""Files in an S3-compatible object store (AWS S3, MinIO, a vendor's appliance inside LGWAN) through boto3.

Credentials come the way boto3 looks for them (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the
environment file, or an instance profile), never from elearn's own settings. Tests run against moto's
standalone server on loopback, which speaks the same protocol over HTTP.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from elearn.storage import StoredFile, StoreError, check_key

BLOCK = 256 * 1024
MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Store:
    def __init__(self, client, bucket: str, prefix: str, work_root: Path) -> None:  # type: ignore[no-untyped-def]
        self.client, self.bucket, self.prefix, self.work_root = client, bucket, prefix, work_root

    @classmethod
    def from_config(cls, config: dict, area: str, work_root: Path) -> S3Store:
        bucket = config.get("S3_BUCKET")
        if not bucket:
            raise StoreError("ELEARN_S3_BUCKET must be set when ELEARN_FILE_STORE is s3")
        client = boto3.client(
            "s3", endpoint_url=config.get("S3_ENDPOINT_URL") or None, region_name=config.get("S3_REGION") or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                          s3={"addressing_style": "path"}))
        base = (config.get("S3_PREFIX") or "").strip("/")
        return cls(client, bucket, f"{base}/{area}/" if base else f"{area}/", work_root)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _prefix(self, prefix: str) -> str:
        return self.prefix + (check_key(prefix.rstrip("/")) + "/" if prefix.strip("/") else "")

    def head(self, key: str) -> StoredFile | None:
        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise StoreError(f"the object store refused to describe {key}: {error}") from error
        except BotoCoreError as error:
            raise StoreError(f"the object store is unreachable: {error}") from error
        return StoredFile(key, answer["ContentLength"], answer["ETag"].strip('"'), answer["LastModified"])

    def read_bytes(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                raise FileNotFoundError(key) from None
            raise StoreError(f"the object store refused to read {key}: {error}") from error
        except BotoCoreError as error:
            raise StoreError(f"the object store is unreachable: {error}") from error

    def read_range(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        if stop <= start:
            return
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key), Range=f"bytes={start}-{stop - 1}")
        except (ClientError, BotoCoreError) as error:
            raise StoreError(f"the object store did not send {key}: {error}") from error
        stream = body["Body"]
        try:
            yield from stream.iter_chunks(BLOCK)
        finally:
            stream.close()  # a player that seeks away closes the answer: give the connection back

    def _objects(self, prefix: str) -> Iterator[dict]:
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                yield from page.get("Contents", [])
        except (ClientError, BotoCoreError) as error:
            raise StoreError(f"the object store did not list {prefix}: {error}") from error

    def has_prefix(self, prefix: str) -> bool:
        try:
            answer = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._prefix(prefix), MaxKeys=1)
        except (ClientError, BotoCoreError) as error:
            raise StoreError(f"the object store did not list {prefix}: {error}") from error
        return answer.get("KeyCount", 0) > 0

    def files(self, prefix: str = "") -> Iterator[StoredFile]:
        for item in self._objects(self._prefix(prefix)):
            key = item["Key"][len(self.prefix):]
            if not any(part.startswith(".") for part in key.split("/")):
                yield StoredFile(key, item["Size"], item["ETag"].strip('"'), item["LastModified"])

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        try:
            # Multipart for large files; a failed multipart upload is aborted by s3transfer, leaving nothing.
            self.client.upload_fileobj(stream, self.bucket, self._key(key))
        except (ClientError, BotoCoreError) as error:
            raise StoreError(f"the object store did not take {key}: {error}") from error
        stored = self.head(key)
        return stored.size if stored else 0

    def put_tree(self, folder: Path, prefix: str, last: str | None = None) -> None:
        if self.has_prefix(prefix):
            raise FileExistsError(prefix)
        paths = sorted(path for path in folder.rglob("*") if path.is_file())
        paths.sort(key=lambda path: path.relative_to(folder).as_posix() == last)  # the manifest goes last
        try:
            for path in paths:
                self.client.upload_file(str(path), self.bucket,
                                        self._key(f"{prefix.rstrip('/')}/{path.relative_to(folder).as_posix()}"))
        except BaseException as error:
            self.delete_prefix(prefix)
            if isinstance(error, ClientError | BotoCoreError):
                raise StoreError(f"the object store did not take {prefix}: {error}") from error
            raise
        shutil.rmtree(folder, ignore_errors=True)

    def work_folders(self) -> list[Path]:
        if not self.work_root.is_dir():
            return []
        return sorted(path for pattern in ("building-*", "download-*") for path in self.work_root.glob(pattern)
                      if path.is_dir())

    @contextmanager
    def building(self) -> Iterator[Path]:
        self.work_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.work_root, prefix="building-") as work:
            yield Path(work) / "tree"

    @contextmanager
    def local_tree(self, prefix: str) -> Iterator[Path]:
        self.work_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.work_root, prefix="download-") as work:
            base = self._prefix(prefix)
            for item in self._objects(base):
                target = Path(work).joinpath(*check_key(item["Key"][len(base):]).split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    self.client.download_file(self.bucket, item["Key"], str(target))
                except (ClientError, BotoCoreError) as error:
                    raise StoreError(f"the object store did not send {item['Key']}: {error}") from error
            yield Path(work)

    def local_path(self, key: str) -> Path | None:
        return None

    def delete_prefix(self, prefix: str) -> None:
        keys = [{"Key": item["Key"]} for item in self._objects(self._prefix(prefix))]
        try:
            for start in range(0, len(keys), 1000):
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys[start:start + 1000]})
        except (ClientError, BotoCoreError) as error:
            raise StoreError(f"the object store did not delete {prefix}: {error}") from error
