package app

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// DefaultWebDir is where `npm run build` in examples/web writes the web
// dashboard, relative to the repository root.
const DefaultWebDir = "examples/web/dist"

// defaultWebDir is DefaultWebDir when a built page is there, else "": the
// default of WEB_DIR, so that a checkout without a frontend build serves no
// /app/ instead of failing.
func defaultWebDir() string {
	if st, err := os.Stat(filepath.Join(DefaultWebDir, "index.html")); err == nil && st.Mode().IsRegular() {
		return DefaultWebDir
	}
	return ""
}

// webHandler serves the built web dashboard (examples/web/dist) from dir on
// disk, mounted at /app/: it strips the /app prefix itself. The directory is
// read on every request, so a rebuild shows without a restart, and the Go
// build does not depend on npm.
//
//   - /app/, and any path without a file extension outside assets/ that is
//     not a file (a client-side route), get index.html, never cached;
//   - files under assets/ have content hashes in their names (vite) and are
//     cached for a year;
//   - anything else that is not a regular file (a missing asset, a directory,
//     a dot file) is 404: no directory listings, nothing outside dir.
func webHandler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rel, ok := strings.CutPrefix(r.URL.Path, "/app/")
		if !ok {
			writeError(w, r, http.StatusNotFound, notFound(r))
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+rel), "/")
		if name == "" {
			name = "index.html"
		}
		if hasDotSegment(name) || !fs.ValidPath(name) {
			writeError(w, r, http.StatusNotFound, notFound(r))
			return
		}
		file, st, err := openRegular(dir, name)
		if err != nil && path.Ext(name) == "" && !isAsset(name) {
			// A client-side route: the page decides what it shows.
			name = "index.html"
			file, st, err = openRegular(dir, name)
		}
		if err != nil {
			writeError(w, r, http.StatusNotFound, notFound(r))
			return
		}
		defer file.Close()

		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if isAsset(name) {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		if name == "index.html" {
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "+
				"connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
			h.Set("Referrer-Policy", "same-origin")
		}
		http.ServeContent(w, r, path.Base(name), st.ModTime(), file)
	})
}

// openRegular opens name (a valid fs path) under dir when it is a regular
// file. os.OpenInRoot refuses symlinks that lead out of dir.
func openRegular(dir, name string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenInRoot(dir, filepath.FromSlash(name))
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, errors.Join(err, fs.ErrNotExist)
	}
	return f, st, nil
}

// isAsset reports whether name is in vite's assets/ directory.
func isAsset(name string) bool {
	return name == "assets" || strings.HasPrefix(name, "assets/")
}

func hasDotSegment(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}
