"""Typed errors: a stable code, an HTTP status and a one-line message a user can act on."""
from __future__ import annotations


class PoecheckError(Exception):
    """Base of every expected failure. The API maps it to JSON, the CLI to exit code 2."""

    code = "error"
    http_status = 400
    exit_code = 2

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if http_status:
            self.http_status = http_status

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class RulesInvalid(PoecheckError):
    """A rule file under checks/rules/ is missing or invalid: nothing can be judged until it is fixed."""

    code = "rules_invalid"
    http_status = 500


class EmptyFile(PoecheckError):
    code = "empty_file"
    http_status = 422


class UnsupportedFileType(PoecheckError):
    code = "unsupported_type"
    http_status = 415


class EncryptedDocument(PoecheckError):
    code = "encrypted"
    http_status = 422


class MalformedDocument(PoecheckError):
    code = "malformed"
    http_status = 422


class DocumentTooLarge(PoecheckError):
    code = "too_large"
    http_status = 413


class TooManyPages(PoecheckError):
    code = "too_many_pages"
    http_status = 413


class NestingTooDeep(PoecheckError):
    code = "nesting_too_deep"
    http_status = 422


class ImageBomb(PoecheckError):
    code = "image_too_large"
    http_status = 413


class NotAnEmail(PoecheckError):
    code = "not_an_email"
    http_status = 422


class OcrUnavailable(PoecheckError):
    code = "ocr_unavailable"
    http_status = 503


class OcrTimeout(PoecheckError):
    code = "ocr_timeout"
    http_status = 422


class InvalidClaim(PoecheckError):
    code = "invalid_claim"
    http_status = 422


class InvalidUsage(PoecheckError):
    code = "invalid_usage"
    http_status = 422


class FileMissing(PoecheckError):
    code = "file_missing"
    http_status = 404


class TrustRootsError(PoecheckError):
    code = "trust_roots"
    http_status = 500


class OcrFailed(PoecheckError):
    code = "ocr_failed"
    http_status = 422


class Unauthorized(PoecheckError):
    code = "unauthorized"
    http_status = 401


class NotFound(PoecheckError):
    code = "not_found"
    http_status = 404


class PartnerMismatch(PoecheckError):
    code = "partner_mismatch"
    http_status = 403


class UploadTooLarge(PoecheckError):
    code = "upload_too_large"
    http_status = 413


class TooManyFiles(PoecheckError):
    code = "too_many_files"
    http_status = 413


class InvalidUpload(PoecheckError):
    code = "invalid_upload"
    http_status = 422


class UnsupportedMediaType(PoecheckError):
    code = "unsupported_media_type"
    http_status = 415


class ServiceBusy(PoecheckError):
    code = "busy"
    http_status = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidBatchInput(PoecheckError):
    code = "invalid_batch_input"
    http_status = 422


class BatchWorkerFailed(PoecheckError):
    code = "batch_worker_failed"
    http_status = 500


class InvalidArguments(PoecheckError):
    """A CLI command was given a combination of arguments it cannot run."""

    code = "invalid_arguments"
    http_status = 400


class ParserCrashed(PoecheckError):
    """The isolated reader process died on this document (a crash in a parser library)."""

    code = "parser_crashed"
    http_status = 422


class ParserTimeout(PoecheckError):
    """Reading this document took longer than the wall-time or CPU-time limit."""

    code = "parser_timeout"
    http_status = 422


class ParserMemory(PoecheckError):
    """Reading this document needed more memory than the limit."""

    code = "parser_memory"
    http_status = 413

    @classmethod
    def over(cls, file: str, limit_mb: int) -> ParserMemory:
        return cls(f"{file}: reading the file needs more than {limit_mb} MB of memory.")


class TooManyChecks(PoecheckError):
    """This key already has as many checks in flight (uploading, queued or running) as it may."""

    code = "too_many_checks"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UploadTimeout(PoecheckError):
    """The request body did not arrive within the body timeout."""

    code = "upload_timeout"
    http_status = 408


class ChecksTimeout(PoecheckError):
    """The checks of one claim ran longer than their time limit."""

    code = "checks_timeout"
    http_status = 422


class PdfContentTooLarge(PoecheckError):
    """A PDF page's content (what pdfium parses to lay the page out) is beyond the limits."""

    code = "content_too_large"
    http_status = 413


class ReviewerOnly(PoecheckError):
    """Only a reviewer key may do this (record a decision, read the agreement)."""

    code = "reviewer_only"
    http_status = 403


class InvalidDecision(PoecheckError):
    """A decision that cannot be recorded on this report (unknown reason code, override of an absent check...)."""

    code = "invalid_decision"
    http_status = 422


class InvalidOutput(PoecheckError):
    """The output folder of a batch cannot be used (a file, not writable); checked before any work."""

    code = "invalid_output"


class SchemaOutdated(PoecheckError):
    """The database schema is not the one this version needs: `poecheck db upgrade` migrates it."""

    code = "schema_outdated"
    http_status = 503
