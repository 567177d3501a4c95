package analytics

import (
	"maps"
	"slices"
)

const defaultPalette = "default"

// palettes are the named color sequences datasets are colored from.
var palettes = map[string][]string{
	"default": {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"},
	"blues":   {"#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#2171b5", "#4292c6", "#deebf7"},
	"warm":    {"#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#e08214", "#fdb863", "#8c510a", "#bf812d"},
	"muted":   {"#6f4e7c", "#0b84a5", "#f6c85f", "#9dd866", "#ca472f", "#ffa056", "#8dddd0", "#7e8c97"},
}

func paletteNames() []string { return slices.Sorted(maps.Keys(palettes)) }

// color returns the i-th color of the palette, wrapping around.
func color(palette string, i int) string {
	p := palettes[palette]
	return p[i%len(p)]
}
