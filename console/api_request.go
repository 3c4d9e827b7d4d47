package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// apiMaxBody caps a JSON request body: the longest legitimate one is a note of a
// few thousand characters (about 15 KiB of UTF-8).
const apiMaxBody = 64 << 10

// apiRequestError is a refusal of the request itself (not of its content), with its
// own HTTP status and code: 413 too_large, 415 unsupported_media_type.
type apiRequestError struct {
	status  int
	code    string
	message string
}

func (e *apiRequestError) Error() string { return e.message }

// apiDecode reads the request body into dst. An empty body (no Content-Type, or
// application/json) leaves dst as it is, so actions without required fields can be
// posted bare. Otherwise the body must be application/json, at most apiMaxBody
// bytes, one JSON object with no unknown fields. Errors are *apiRequestError or
// EINVALID; apiDecodeError answers them.
func apiDecode(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := apiCheckContentType(r); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, apiMaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &apiRequestError{http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("请求体不能超过 %d 字节", apiMaxBody)}
	case err != nil:
		return storage.Errorf(storage.EINVALID, "无法读取请求体")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if r.Header.Get("Content-Type") == "" {
		return apiUnsupportedMediaType()
	}
	return apiUnmarshalStrict(body, dst)
}

// apiCheckContentType refuses a declared Content-Type other than application/json.
func apiCheckContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil // decided once the body is read: only an empty one may go without
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return apiUnsupportedMediaType()
	}
	return nil
}

func apiUnsupportedMediaType() error {
	return &apiRequestError{http.StatusUnsupportedMediaType, "unsupported_media_type",
		"请求体必须是 JSON（Content-Type: application/json）"}
}

// apiUnmarshalStrict decodes exactly one JSON value and refuses unknown fields, so a
// misspelt field is an error instead of being silently ignored.
func apiUnmarshalStrict(body []byte, dst any) error {
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var invalid *storage.Error
		if errors.As(err, &invalid) {
			return invalid // a field's own parser refused its value (an amount)
		}
		return storage.Errorf(storage.EINVALID, "请求体不是有效的 JSON：%s", apiJSONErrorText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return storage.Errorf(storage.EINVALID, "请求体只能包含一个 JSON 对象")
	}
	return nil
}

// apiJSONErrorText says what was wrong with a body in terms of its fields, without
// echoing Go type names.
func apiJSONErrorText(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return "字段 " + typeErr.Field + " 的类型不对"
	}
	msg := err.Error()
	if field, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "未知字段 " + field
	}
	return strings.TrimPrefix(msg, "json: ")
}

// apiDecodeError answers a request whose body apiDecode refused.
func (s *Server) apiDecodeError(w http.ResponseWriter, r *http.Request, err error) {
	var re *apiRequestError
	if errors.As(err, &re) {
		writeJSONError(w, re.status, re.code, re.message)
		return
	}
	s.apiError(w, r, err)
}
