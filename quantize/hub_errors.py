"""What went wrong talking to the Hugging Face Hub, in one line with the fix."""

from __future__ import annotations

import errno

from .errors import ConversionError

TOKEN_FIX = ("accept the model's terms on its Hugging Face page, create a read token at "
             "https://huggingface.co/settings/tokens and set it as HF_TOKEN (or run `hf auth login`)")


class HubError(ConversionError):
    """A pull that cannot go on. ``kind``: not_found, gated, revision, offline, network, disk,
    unsupported, files."""

    def __init__(self, kind: str, message: str, path: object = None, fix: str = ""):
        super().__init__(message, path, fix, code=f"hub.{kind}")
        self.kind = kind



def _status(e: BaseException) -> int | None:
    response = getattr(e, "response", None)
    return getattr(response, "status_code", None)


def hub_error(e: BaseException, repo_id: str, revision: str, endpoint: str, where: object = None) -> HubError | None:
    """The HubError for an exception raised by ``huggingface_hub`` or its HTTP client, or None
    when ``e`` is not about the Hub (a bug, a cancel), so it propagates as it is. ``where``: the
    folder being written, named when the error itself names no file."""
    from huggingface_hub import errors as hf

    page = f"{endpoint}/{repo_id}"
    if isinstance(e, hf.GatedRepoError):
        return HubError("gated", f"{repo_id} is gated: downloading it needs a Hugging Face token with access",
                        page, TOKEN_FIX)
    if isinstance(e, hf.RevisionNotFoundError):
        return HubError("revision", f"{repo_id} has no revision {revision!r}", page,
                        "give a branch, tag or commit that exists (the default is main)")
    if isinstance(e, hf.RepositoryNotFoundError):
        return HubError("not_found", f"repository {repo_id} not found on {endpoint}", page,
                        "check the spelling (ORG/NAME, as in the model's address); a private repository "
                        "also needs HF_TOKEN")
    if isinstance(e, hf.OfflineModeIsEnabled):
        return HubError("offline", "HF_HUB_OFFLINE is set, and this needs the network", page,
                        "unset HF_HUB_OFFLINE, or pull a model that is already in the download cache")
    if isinstance(e, hf.HfHubHTTPError) or _status(e):
        status = _status(e)
        if status == 401:
            return HubError("gated", f"the Hub refused access to {repo_id} (401)", page, TOKEN_FIX)
        if status == 403:
            return HubError("gated", f"the Hub refused access to {repo_id} (403)", page, TOKEN_FIX)
        return HubError("network", f"the Hub answered with an error ({status or 'no status'}) for {repo_id}",
                        page, "try again later; if it persists, check the Hub's status page")
    if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
        return HubError("disk", "the disk is full", getattr(e, "filename", None) or where,
                        "free some space and pull again: the download resumes where it stopped")
    if isinstance(e, OSError) and e.errno == errno.EFBIG:
        return HubError("disk", "the file is too large for this disk or for the limits set on this process",
                        getattr(e, "filename", None) or where,
                        "set HF_HOME to a disk that holds files this large (FAT32 holds at most 4 GiB per "
                        "file) and pull again: the download resumes where it stopped")
    module = type(e).__module__ or ""
    if module.startswith(("httpx", "httpcore", "h11", "ssl", "socket")) or isinstance(e, (ConnectionError,
                                                                                            TimeoutError)):
        reason = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        return HubError("network", f"cannot reach {endpoint} ({reason})", None,
                        "check the internet connection or proxy and pull again (a partial download resumes); "
                        "a model already downloaded works with HF_HUB_OFFLINE=1")
    if isinstance(e, OSError):
        return HubError("files", f"cannot write the download ({e.strerror or e})", getattr(e, "filename", None) or where,
                        "check that the Hugging Face cache folder (HF_HOME) is writable")
    return None
