package idempotency

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
)

// buffer holds a response until its transaction commits: a client must never see a 201 for a
// change that then fails to commit.
type buffer struct {
	gin.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func newBuffer(w gin.ResponseWriter) *buffer {
	return &buffer{ResponseWriter: w, header: http.Header{}, status: http.StatusOK}
}

// Header returns the buffered headers.
func (b *buffer) Header() http.Header { return b.header }

// WriteHeader records the status.
func (b *buffer) WriteHeader(code int) { b.status = code }

// WriteHeaderNow does nothing until the flush.
func (b *buffer) WriteHeaderNow() {}

// Write buffers the body.
func (b *buffer) Write(p []byte) (int, error) { return b.body.Write(p) }

// WriteString buffers the body.
func (b *buffer) WriteString(s string) (int, error) { return b.body.WriteString(s) }

// Status is the buffered status.
func (b *buffer) Status() int { return b.status }

// Size is the buffered body's size.
func (b *buffer) Size() int { return b.body.Len() }

// Written reports whether anything was buffered.
func (b *buffer) Written() bool { return b.body.Len() > 0 }

// flushTo sends the buffered response.
func (b *buffer) flushTo(w gin.ResponseWriter) {
	for name, values := range b.header {
		w.Header()[name] = values
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}
