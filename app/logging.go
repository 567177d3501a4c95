package app

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
)

type requestInfoKey struct{}

// requestInfo is what every log line of a request carries. The user id is
// filled in once the token is verified, further in than the access log.
type requestInfo struct {
	id     string
	userID atomic.Int64
	// route is the pattern the request matched, set by the mux's handler.
	route string
}

// NewLogger returns the structured logger: JSON (or text) lines, each with
// the request id and user id of the request it was logged for.
func NewLogger(w io.Writer, cfg Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if info, _ := ctx.Value(requestInfoKey{}).(*requestInfo); info != nil {
		r.AddAttrs(slog.String("request_id", info.id))
		if uid := info.userID.Load(); uid != 0 {
			r.AddAttrs(slog.Int64("user_id", uid))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
