"""The SliceFine HTTP API from Python's standard library alone (urllib, json, dataclasses)."""
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.client import HTTPException
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from . import errors
from .types import (ClassPrediction, Completion, Dataset, Evaluation, Event, Job, Metric, Model, build)

Progress = Callable[[int, int], None]
"""progress(bytes_done, bytes_total)"""

_TERMINAL = ("succeeded", "failed", "cancelled")


class Client:
    """One server and one API key. Every call raises :class:`errors.SliceFineError` (with the problem ``code`` and
    field errors) on an HTTP error."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 120.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    # ------------------------------------------------------------------ plumbing

    def _open(self, method: str, path: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None,
              timeout: Optional[float] = None):
        url = path if path.startswith("http") else self.base_url + path
        h = {"Authorization": "Bearer " + self.api_key}
        h.update(headers or {})
        req = urllib.request.Request(url, data=body, method=method, headers=h)
        try:
            return urllib.request.urlopen(req, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as e:
            raise errors.from_response(e.code, e.read(), e.headers.get("Retry-After")) from None

    def _json(self, method: str, path: str, payload: Any = None, headers: Optional[Dict[str, str]] = None) -> Any:
        body = None
        h = dict(headers or {})
        if payload is not None:
            body = json.dumps(payload).encode("utf-8")
            h["Content-Type"] = "application/json"
        with self._open(method, path, body, h) as r:
            data = r.read()
        return json.loads(data.decode("utf-8")) if data else None

    @staticmethod
    def _query(**params: Any) -> str:
        q = {k: v for k, v in params.items() if v is not None}
        return ("?" + urllib.parse.urlencode(q)) if q else ""

    # ------------------------------------------------------------------ models and datasets

    def upload_model(self, path: Union[str, Sequence[str]], name: Optional[str] = None, wait: bool = True,
                     progress: Optional[Progress] = None) -> Model:
        """A checkpoint folder (or a list of its files) as one multipart request, or an archive (.zip/.tar/.tar.gz)
        through a resumable upload."""
        if isinstance(path, str) and os.path.isfile(path):
            model_id = self._resumable(path, "model", name, progress=progress)
            return self.wait_model(model_id) if wait else self.get_model(model_id)
        files = sorted(os.path.join(path, f) for f in os.listdir(path)) if isinstance(path, str) else list(path)
        files = [f for f in files if os.path.isfile(f)]
        fields = {"name": name} if name else {}
        body, ctype = _multipart(fields, [("files", f) for f in files])
        with self._open("POST", "/v1/models", body, {"Content-Type": ctype}) as r:
            m = json.loads(r.read().decode("utf-8"))
        if progress:
            progress(len(body), len(body))
        return self.wait_model(m["id"]) if wait else build(Model, m)

    def get_model(self, model_id: str) -> Model:
        return build(Model, self._json("GET", "/v1/models/" + model_id))

    def wait_model(self, model_id: str, timeout: float = 600) -> Model:
        return self._wait_ready(self.get_model, model_id, timeout)

    def upload_dataset(self, path: str, name: Optional[str] = None, resumable: Optional[bool] = None,
                       chunk_size: int = 8 << 20, progress: Optional[Progress] = None, wait: bool = True,
                       **fields: Any) -> Dataset:
        """A dataset file. Files over 16 MB (or resumable=True) go through the resumable upload protocol: chunks with
        Upload-Offset; after a dropped connection the upload asks the server for its offset and continues.
        fields: format, text_field, label_field..."""
        size = os.path.getsize(path)
        if resumable is None:
            resumable = size > (16 << 20)
        if resumable:
            dataset_id = self._resumable(path, "dataset", name, chunk_size, progress, **fields)
        else:
            f = dict(fields)
            if name:
                f["name"] = name
            body, ctype = _multipart(f, [("file", path)])
            with self._open("POST", "/v1/datasets", body, {"Content-Type": ctype}) as r:
                dataset_id = json.loads(r.read().decode("utf-8"))["id"]
            if progress:
                progress(size, size)
        return self.wait_dataset(dataset_id) if wait else self.get_dataset(dataset_id)

    def get_dataset(self, dataset_id: str) -> Dataset:
        return build(Dataset, self._json("GET", "/v1/datasets/" + dataset_id))

    def wait_dataset(self, dataset_id: str, timeout: float = 600) -> Dataset:
        return self._wait_ready(self.get_dataset, dataset_id, timeout)

    def _wait_ready(self, get: Callable[[str], Any], rid: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            item = get(rid)
            if item.status != "validating":
                if item.status != "ready":
                    raise errors.SliceFineError(422, "invalid_upload", f"{rid} is {item.status}: {item.report}")
                return item
            if time.monotonic() > deadline:
                raise TimeoutError(f"{rid} still validating after {timeout}s")
            time.sleep(0.3)

    def _resumable(self, path: str, purpose: str, name: Optional[str], chunk_size: int = 8 << 20,
                   progress: Optional[Progress] = None, retries: int = 5, **fields: Any) -> str:
        size = os.path.getsize(path)
        meta = {"purpose": purpose, "filename": os.path.basename(path), "size": size}
        if name:
            meta["name"] = name
        meta.update(fields)
        upload = self._json("POST", "/v1/uploads", meta)
        uid = upload["id"]
        offset = 0
        failures = 0
        with open(path, "rb") as f:
            while offset < size:
                f.seek(offset)
                chunk = f.read(chunk_size)
                try:
                    with self._open("PATCH", "/v1/uploads/" + uid, chunk, {
                            "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}) as r:
                        offset = int(r.headers.get("Upload-Offset", offset + len(chunk)))
                    failures = 0
                except (errors.Conflict, OSError, HTTPException) as e:
                    # dropped connection or offset mismatch: ask the server what it has and go on from there
                    failures += 1
                    if failures > retries:
                        raise
                    time.sleep(min(2.0, 0.2 * failures))
                    offset = self.upload_offset(uid)
                    if isinstance(e, errors.SliceFineError) and e.code not in ("offset_mismatch", "upload_busy"):
                        raise
                if progress:
                    progress(offset, size)
        done = self._json("POST", "/v1/uploads/" + uid + "/complete")
        return done["result_id"]

    def upload_offset(self, upload_id: str) -> int:
        with self._open("HEAD", "/v1/uploads/" + upload_id) as r:
            return int(r.headers.get("Upload-Offset", "0"))

    # ------------------------------------------------------------------ jobs

    def create_job(self, model_id: str, dataset_id: str, idempotency_key: Optional[str] = None, **config: Any) -> Job:
        """Keyword arguments are the job's JSON fields: task, method, eval_dataset_id, validation_split, name,
        slicefine={...}, lora={...}, train={...}, webhook_url..."""
        body = {"model_id": model_id, "dataset_id": dataset_id}
        body.update({k: v for k, v in config.items() if v is not None})
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return build(Job, self._json("POST", "/v1/jobs", body, headers))

    def get_job(self, job_id: str) -> Job:
        return build(Job, self._json("GET", "/v1/jobs/" + job_id))

    def cancel_job(self, job_id: str) -> Job:
        return build(Job, self._json("POST", "/v1/jobs/" + job_id + "/cancel"))

    def jobs(self, status: Optional[str] = None) -> Iterator[Job]:
        yield from (build(Job, j) for j in self._pages("/v1/jobs", status=status))

    def _pages(self, path: str, **params: Any) -> Iterator[Dict[str, Any]]:
        cursor = None
        while True:
            page = self._json("GET", path + self._query(cursor=cursor, **params))
            yield from page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    # ------------------------------------------------------------------ evaluations

    def create_evaluation(self, dataset_id: str, model_id: Optional[str] = None, job_id: Optional[str] = None,
                          **options: Any) -> Evaluation:
        """Evaluate a base model (model_id) or a job's result (job_id) on a dataset; options: max_seq_len, batch_size."""
        body: Dict[str, Any] = {"dataset_id": dataset_id}
        if model_id:
            body["model_id"] = model_id
        if job_id:
            body["job_id"] = job_id
        body.update({k: v for k, v in options.items() if v is not None})
        return build(Evaluation, self._json("POST", "/v1/evaluations", body))

    def evaluations(self, job_id: Optional[str] = None, model_id: Optional[str] = None,
                    status: Optional[str] = None) -> Iterator[Evaluation]:
        """Evaluations, newest first: of one job's result (job_id, its final evaluation included), of a base model
        and results trained on it (model_id), or all of them."""
        yield from (build(Evaluation, e) for e in self._pages("/v1/evaluations", job_id=job_id, model_id=model_id,
                                                               status=status))

    def get_evaluation(self, evaluation_id: str) -> Evaluation:
        return build(Evaluation, self._json("GET", "/v1/evaluations/" + evaluation_id))

    def cancel_evaluation(self, evaluation_id: str) -> Evaluation:
        return build(Evaluation, self._json("POST", "/v1/evaluations/" + evaluation_id + "/cancel"))

    def evaluation_predictions(self, evaluation_id: str, page_size: int = 100) -> Iterator[Dict[str, Any]]:
        """Every example's prediction in dataset order, page by page."""
        after = None
        while True:
            e = self._json("GET", "/v1/evaluations/" + evaluation_id
                           + self._query(include="predictions", limit=page_size, after=after))
            page = e["predictions"]
            yield from page["items"]
            after = page.get("next_after")
            if after is None:
                return

    # ------------------------------------------------------------------ events, metrics, wait

    def _base(self, run: Union[str, Job, Evaluation]) -> Tuple[str, str]:
        if isinstance(run, Evaluation):
            return "/v1/evaluations/" + run.id, run.id
        if isinstance(run, Job):
            return "/v1/jobs/" + run.id, run.id
        return "/v1/jobs/" + run, run

    def events(self, run: Union[str, Job, Evaluation], after: int = 0, follow: bool = False,
               reconnect_delay: float = 0.5, max_reconnects: int = 20) -> Iterator[Event]:
        """A job's (or an evaluation's) events in seq order. follow=True streams Server-Sent Events until the run
        ends, reconnecting with Last-Event-ID after a dropped connection."""
        base, _ = self._base(run)
        for row in self._history(base + "/events", "seq", after, follow, reconnect_delay, max_reconnects):
            yield build(Event, row)

    def metrics(self, job: Union[str, Job], after: int = 0, follow: bool = False) -> Iterator[Metric]:
        base, _ = self._base(job)
        for row in self._history(base + "/metrics", "id", after, follow, 0.5, 20):
            yield build(Metric, row)

    def _history(self, path: str, key: str, after: int, follow: bool, delay: float, max_reconnects: int) -> Iterator[Dict[str, Any]]:
        if not follow:
            while True:
                page = self._json("GET", path + self._query(after=after, limit=1000))
                yield from page["items"]
                if not page["items"]:
                    return
                after = page["items"][-1][key]
        reconnects = 0
        last = after
        while True:
            try:
                with self._open("GET", path, None, {"Accept": "text/event-stream", "Last-Event-ID": str(last)},
                                timeout=max(self.timeout, 60)) as r:
                    for ev_id, data in _sse(r):
                        row = json.loads(data)
                        last = int(ev_id) if ev_id else row.get(key, last)
                        reconnects = 0
                        yield row
                return  # the server closes the stream once the run is terminal
            except (OSError, HTTPException, ValueError) as e:
                if isinstance(e, errors.SliceFineError):
                    raise
                reconnects += 1
                if reconnects > max_reconnects:
                    raise
                time.sleep(delay)

    def wait(self, run: Union[str, Job, Evaluation], timeout: Optional[float] = None,
             on_event: Optional[Callable[[Event], None]] = None, raise_on_failure: bool = True) -> Union[Job, Evaluation]:
        """Follows the run's events (SSE, resumed with Last-Event-ID) until it is terminal; returns it refreshed.
        Raises :class:`errors.JobFailed` when it failed or was cancelled (unless raise_on_failure is False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        get = self.get_evaluation if isinstance(run, Evaluation) else self.get_job
        rid = run if isinstance(run, str) else run.id
        for ev in self.events(run, follow=True):
            if on_event:
                on_event(ev)
            if ev.type == "status" and ev.to_status in _TERMINAL:
                break
            if deadline and time.monotonic() > deadline:
                raise TimeoutError(f"{rid} did not finish within {timeout}s")
        current = get(rid)
        while not current.finished:  # the stream ended early (server restart): poll to the end
            if deadline and time.monotonic() > deadline:
                raise TimeoutError(f"{rid} did not finish within {timeout}s")
            time.sleep(0.5)
            current = get(rid)
        if raise_on_failure and current.status != "succeeded":
            raise errors.JobFailed(current)
        return current

    # ------------------------------------------------------------------ downloads

    def download(self, job: Union[str, Job], kind: str, dest: str, progress: Optional[Progress] = None,
                 retries: int = 5) -> str:
        """Downloads /artifacts/{kind} (diff, merged, peft) to dest. An interrupted download resumes from the bytes
        already in dest + '.part' with a Range request (If-Range on the ETag, so a changed file restarts)."""
        base, _ = self._base(job)
        part = dest + ".part"
        etag_file = part + ".etag"
        attempts = 0
        while True:
            have = os.path.getsize(part) if os.path.exists(part) else 0
            headers = {}
            if have and os.path.exists(etag_file):
                with open(etag_file) as ef:
                    headers = {"Range": "bytes=%d-" % have, "If-Range": ef.read().strip()}
            try:
                with self._open("GET", base + "/artifacts/" + kind, None, headers, timeout=max(self.timeout, 600)) as r:
                    etag = r.headers.get("ETag")
                    if etag:
                        with open(etag_file, "w") as ef:
                            ef.write(etag)
                    if r.status == 206:
                        total = int(r.headers["Content-Range"].split("/")[-1])
                        mode, done = "ab", have
                    else:
                        total = int(r.headers.get("Content-Length") or 0)
                        mode, done = "wb", 0
                    with open(part, mode) as out:
                        while True:
                            buf = r.read(1 << 20)
                            if not buf:
                                break
                            out.write(buf)
                            done += len(buf)
                            if progress:
                                progress(done, total)
                    if total and done < total:
                        raise OSError("connection closed at %d of %d bytes" % (done, total))
                os.replace(part, dest)
                if os.path.exists(etag_file):
                    os.remove(etag_file)
                return dest
            except (OSError, HTTPException) as e:
                attempts += 1
                if attempts > retries or isinstance(e, errors.SliceFineError):
                    raise
                time.sleep(min(2.0, 0.2 * attempts))

    # ------------------------------------------------------------------ predictions

    def predict(self, inputs: Optional[Sequence[str]] = None, *, job_id: Optional[str] = None,
                model_id: Optional[str] = None) -> List[ClassPrediction]:
        """Classify texts with a job's result or a base model."""
        path = self._predict_path(job_id, model_id)
        r = self._json("POST", path, {"inputs": list(inputs or [])})
        return [build(ClassPrediction, p) for p in r["predictions"]]

    def generate(self, prompt: str, *, job_id: Optional[str] = None, model_id: Optional[str] = None,
                 max_new_tokens: int = 32, temperature: float = 0.0, top_p: float = 1.0, seed: int = 0,
                 stop: Optional[Sequence[str]] = None) -> Completion:
        """Continue a prompt with a causal LM (greedy at temperature 0)."""
        path = self._predict_path(job_id, model_id)
        body = {"prompt": prompt, "max_new_tokens": max_new_tokens, "temperature": temperature, "top_p": top_p,
                "seed": seed, "stop": list(stop or [])}
        return build(Completion, self._json("POST", path, body))

    @staticmethod
    def _predict_path(job_id: Optional[str], model_id: Optional[str]) -> str:
        if (job_id is None) == (model_id is None):
            raise ValueError("give exactly one of job_id and model_id")
        return ("/v1/jobs/" + job_id if job_id else "/v1/models/" + str(model_id)) + "/predictions"


def _sse(response) -> Iterator[Tuple[Optional[str], str]]:
    """(id, data) of each Server-Sent Event; comments (keep-alives) are skipped."""
    ev_id: Optional[str] = None
    data: List[str] = []
    while True:
        raw = response.readline()
        if not raw:
            return
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield ev_id, "\n".join(data)
            ev_id, data = None, []
        elif line.startswith(":"):
            continue
        elif line.startswith("id:"):
            ev_id = line[3:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" ") if line.startswith("data: ") else line[5:])


def _multipart(fields: Dict[str, Any], files: List[Tuple[str, str]]) -> Tuple[bytes, str]:
    boundary = "----slicefine" + uuid.uuid4().hex
    parts: List[bytes] = []
    for k, v in fields.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode("utf-8"))
    for name, path in files:
        with open(path, "rb") as f:
            content = f.read()
        head = "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: application/octet-stream\r\n\r\n" % (
            boundary, name, os.path.basename(path))
        parts.append(head.encode("utf-8") + content + b"\r\n")
    parts.append(("--%s--\r\n" % boundary).encode("utf-8"))
    return b"".join(parts), "multipart/form-data; boundary=" + boundary
