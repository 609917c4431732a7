"""Ingestion: any uploaded file (PDF, image, .msg, .eml, .docx) to a Document of parts with text.

The readers are listed in service.ingest.registry; service.ingest.dispatch reads bytes with them in this
process, which only the isolated reader (service.isolation), fuzzing and the readers' tests do. Everyone
else reads a document with service.reading.read_document. Whole-file failures raise typed errors from
service.errors; page and attachment failures become warnings on the Document or Part.
"""
