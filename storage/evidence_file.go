package storage

import (
	"mime"
	"strconv"
	"strings"
)

// ServedEvidenceType is the content type under which evidence bytes stored as
// stored are sent to a browser, and whether the browser may show them inline.
// Only images and audio keep their type (SVG, which can carry script, does
// not); anything else is application/octet-stream, so bytes from outside can
// never become a page of a staff or merchant surface. The console and the
// merchant portal both send evidence under it.
func ServedEvidenceType(stored string) (ctype string, inline bool) {
	mt, _, err := mime.ParseMediaType(stored)
	if err == nil && mt != "image/svg+xml" && (strings.HasPrefix(mt, "image/") || strings.HasPrefix(mt, "audio/")) {
		return mt, true
	}
	return "application/octet-stream", false
}

// EvidenceFilename is the file name evidence id is downloaded under when sent
// as ctype (a ServedEvidenceType): "evidence-<id>" and the type's extension.
// Nothing the consumer or WeChat sent goes into it, so it is always safe in a
// Content-Disposition header and on the receiver's disk.
func EvidenceFilename(id int64, ctype string) string {
	return "evidence-" + strconv.FormatInt(id, 10) + evidenceExt(ctype)
}

// evidenceExt is the file name extension for a content type.
func evidenceExt(ctype string) string {
	switch ctype {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "audio/amr":
		return ".amr"
	case "audio/mpeg":
		return ".mp3"
	}
	return ".bin"
}
