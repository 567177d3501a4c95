package app

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dashgraph/dashgraph/apperr"
)

// postJSON is the GraphQL-over-HTTP POST transport for JSON requests.
// gqlgen's own marshals the whole response again to write it, which
// re-validates and re-compacts the data gqlgen has just written as compact
// JSON: a twentieth of a warm dashboard query's CPU. This one writes the
// data as it is. jsonBody has already bounded the body.
type postJSON struct{}

var _ graphql.Transport = postJSON{}

func (postJSON) Supports(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && (mt == "application/json" || mt == "application/graphql-response+json")
}

func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	w.Header().Set("Content-Type", "application/json")
	start := graphql.Now()
	var params graphql.RawParams
	dec := json.NewDecoder(r.Body)
	dec.UseNumber() // integers stay integers for the argument coercion
	if err := dec.Decode(&params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapPath(nil, apperr.New(apperr.BadUserInput,
			`The request body is not a GraphQL request: send a JSON object with "query" and optionally "variables".`))}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	opCtx, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		status := http.StatusUnprocessableEntity
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			status = http.StatusBadRequest
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		return
	}
	handler, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, handler(ctx))
}

var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeResponse writes a response: its data as gqlgen produced it, the
// errors and extensions marshalled.
func writeResponse(w http.ResponseWriter, resp *graphql.Response) {
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer responseBuffers.Put(buf)
	buf.Reset()
	buf.WriteByte('{')
	sep := ""
	field := func(name string, raw []byte) {
		buf.WriteString(sep + `"` + name + `":`)
		buf.Write(raw)
		sep = ","
	}
	if len(resp.Errors) > 0 {
		b, _ := json.Marshal(resp.Errors)
		field("errors", b)
	}
	if resp.Data != nil {
		field("data", resp.Data)
	}
	if len(resp.Extensions) > 0 {
		b, _ := json.Marshal(resp.Extensions)
		field("extensions", b)
	}
	buf.WriteByte('}')
	_, _ = w.Write(buf.Bytes())
}
