"""Exceptions carrying the server's problem details (RFC 9457): a stable ``code`` and, for invalid requests, one
entry per bad field."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: Optional[str] = None


class SliceFineError(Exception):
    """An HTTP error answered by the server. ``code`` is the problem's stable code (``not_found``, ``invalid_job``...)."""

    def __init__(self, status: int, code: str, detail: str, errors: Optional[List[FieldError]] = None,
                 problem: Optional[Dict[str, Any]] = None, retry_after: Optional[float] = None):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []
        self.problem = problem or {}
        self.retry_after = retry_after


class NotFound(SliceFineError):
    pass


class InvalidRequest(SliceFineError):
    """400 or 422: the request was wrong; ``errors`` names each bad field."""


class Conflict(SliceFineError):
    pass


class Unavailable(SliceFineError):
    """503: retry after ``retry_after`` seconds."""


class JobFailed(Exception):
    """wait() saw the job or evaluation end in failed or cancelled."""

    def __init__(self, run: Any):
        err = getattr(run, "error", None) or {}
        super().__init__(f"{run.id} ended {run.status}: {err.get('code')}: {err.get('message')}")
        self.run = run
        self.code = err.get("code")


def from_response(status: int, body: bytes, retry_after: Optional[str]) -> SliceFineError:
    import json
    try:
        problem = json.loads(body.decode("utf-8")) if body else {}
    except ValueError:
        problem = {"detail": body[:200].decode("utf-8", "replace")}
    if not isinstance(problem, dict):
        problem = {}
    code = problem.get("code") or "http_%d" % status
    detail = problem.get("detail") or problem.get("title") or ""
    errors = [FieldError(e.get("field", ""), e.get("message", ""), e.get("code"))
              for e in problem.get("errors") or [] if isinstance(e, dict)]
    cls = {404: NotFound, 400: InvalidRequest, 422: InvalidRequest, 409: Conflict, 503: Unavailable}.get(status, SliceFineError)
    ra = None
    if retry_after:
        try:
            ra = float(retry_after)
        except ValueError:
            ra = None
    return cls(status, code, detail, errors, problem, ra)
