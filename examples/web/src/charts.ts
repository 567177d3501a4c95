// Draws one chart of a dashboard in its own tile: Chart.js for the chart
// types that are pictures, HTML for TABLE and NUMBER, and a message for a
// chart whose data failed.
import {
  Chart,
  registerables,
  type ChartConfiguration,
  type ChartDataset,
  type ChartType as ChartJsType,
  type Plugin,
  type ScaleOptionsByType,
  type TooltipItem,
} from "chart.js";
import type { DashboardQuery } from "./generated/graphql";
import type { ChartType } from "./generated/schema";
import { describe, type GraphQLError } from "./api";
import { h } from "./dom";
import { formatBig, formatLabel, formatRange, formatTick, formatValue } from "./format";

Chart.register(...registerables);
Chart.defaults.font.family =
  getComputedStyle(document.documentElement).getPropertyValue("--font").trim() || "system-ui, sans-serif";
Chart.defaults.color = "#4b5563";
if (window.matchMedia?.("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;

export type DashboardChart = NonNullable<DashboardQuery["dashboard"]>["charts"][number];
type ChartData = NonNullable<DashboardChart["data"]>;
type Dataset = ChartData["datasets"][number];

/** Marks a tile once Chart.js has drawn its canvas (the browser test waits for it). */
const drawnMarker: Plugin = {
  id: "dashgraphDrawn",
  afterRender(chart) {
    chart.canvas.closest(".tile")?.setAttribute("data-drawn", "true");
  },
};

/** A tile: append element to the page, then call mount; destroy releases it. */
export interface RenderedTile {
  element: HTMLElement;
  mount(): void;
  destroy(): void;
}

const noop = () => {};

/**
 * Renders one chart of a dashboard into a new tile. errors are the
 * response's errors whose path names this chart.
 */
export function renderTile(chart: DashboardChart, errors: GraphQLError[]): RenderedTile {
  const data = chart.data;
  const cache = data
    ? h(
        "span",
        {
          class: `badge ${data.fromCache ? "badge-cache" : "badge-fresh"}`,
          title: data.fromCache ? "Served from the API's cache" : "Computed for this request",
        },
        data.fromCache ? "from cache" : "computed",
      )
    : h("span", { class: "badge badge-error" }, "failed");
  const body = h("div", { class: "tile-body" });
  const footer = h(
    "footer",
    {},
    h("span", { class: "type" }, chart.type.replace(/_/g, " ").toLowerCase()),
    data ? h("span", {}, formatRange(data.start, data.end)) : null,
  );
  const tile = h(
    "article",
    { class: "tile", "data-chart-id": chart.id, "data-chart-type": chart.type },
    h("header", {}, h("h3", {}, chart.name), cache),
    chart.description ? h("p", { class: "description" }, chart.description) : null,
    body,
    footer,
  );

  if (!data) {
    tile.dataset.state = "error";
    const messages = errors.length ? errors.map(describe) : ["The API returned no data for this chart."];
    body.append(h("div", { class: "tile-error", role: "alert" }, ...messages.map((m) => h("p", {}, m))));
    return { element: tile, mount: noop, destroy: noop };
  }
  tile.dataset.fromCache = String(data.fromCache);
  if (data.labels.length === 0 || data.datasets.length === 0) {
    tile.dataset.state = "empty";
    body.append(h("p", { class: "tile-empty" }, "No data in this date range."));
    return { element: tile, mount: noop, destroy: noop };
  }

  switch (chart.type) {
    case "TABLE":
      body.append(renderTable(data));
      tile.dataset.state = "ready";
      return { element: tile, mount: noop, destroy: noop };
    case "NUMBER":
      body.append(renderNumber(data));
      tile.dataset.state = "ready";
      return { element: tile, mount: noop, destroy: noop };
    default: {
      const canvas = h("canvas", { role: "img", "aria-label": chart.name });
      body.append(h("div", { class: "canvas-box" }, canvas));
      const config = chartConfig(chart.type, data);
      tile.dataset.colors = JSON.stringify(colorsOf(chart.type, data));
      tile.dataset.state = "ready";
      let instance: Chart | null = null;
      return {
        element: tile,
        // Chart.js sizes the canvas from its container: draw once the tile
        // is in the document.
        mount() {
          instance ??= new Chart(canvas, config);
        },
        destroy() {
          instance?.destroy();
          instance = null;
        },
      };
    }
  }
}

function renderTable(data: ChartData): HTMLElement {
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, ""),
    ...data.datasets.map((d) => h("th", { scope: "col" }, d.label)),
  );
  const rows = data.labels.map((label, i) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, formatLabel(label)),
      ...data.datasets.map((d) => h("td", {}, formatValue(d.data[i], d.label))),
    ),
  );
  return h("div", { class: "table-box" }, h("table", {}, h("thead", {}, head), h("tbody", {}, ...rows)));
}

/** NUMBER: one big number (the first series) and the other values below it. */
function renderNumber(data: ChartData): HTMLElement {
  const values: { name: string; value: number | null }[] = [];
  for (const d of data.datasets) {
    data.labels.forEach((label, i) => {
      const name = data.datasets.length > 1 ? `${d.label}: ${label}` : label;
      values.push({ name, value: d.data[i] ?? null });
    });
  }
  const [first, ...rest] = values;
  return h(
    "div",
    { class: "number" },
    h("div", { class: "number-value" }, formatBig(first.value, first.name)),
    h("div", { class: "number-label" }, first.name),
    rest.length
      ? h(
          "dl",
          { class: "number-rest" },
          ...rest.flatMap((r) => [
            h("dt", {}, r.name),
            h(
              "dd",
              { class: r.value !== null && r.name.includes("%") ? (r.value >= 0 ? "up" : "down") : null },
              formatBig(r.value, r.name),
            ),
          ]),
        )
      : null,
  );
}

const isRound = (t: ChartType) => t === "PIE" || t === "DOUGHNUT";
const asLine = (t: ChartType) => t === "LINE" || t === "AREA";

function colorsOf(type: ChartType, data: ChartData): string[] {
  if (isRound(type)) return data.datasets.flatMap((d) => (d.colors.length ? d.colors : [d.color]));
  return data.datasets.map((d) => d.color);
}

/** #rrggbb plus an alpha. */
function alpha(color: string, a: number): string {
  return /^#[0-9a-f]{6}$/i.test(color)
    ? color +
        Math.round(a * 255)
          .toString(16)
          .padStart(2, "0")
    : color;
}

export function chartConfig(type: ChartType, data: ChartData): ChartConfiguration {
  const labels = data.labels.map(formatLabel);
  if (isRound(type)) {
    const round: ChartConfiguration<"pie" | "doughnut"> = {
      type: type === "PIE" ? "pie" : "doughnut",
      data: {
        labels,
        datasets: data.datasets.map((d) => ({
          label: d.label,
          data: d.data.map((v) => v ?? 0), // a slice of nothing is no slice
          backgroundColor: d.colors.length ? d.colors : d.color,
          borderColor: "#fff",
          borderWidth: 2,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: "right", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: (item: TooltipItem<"pie" | "doughnut">) => roundTooltip(item, data) } },
        },
      },
      plugins: [drawnMarker as Plugin<"pie" | "doughnut">],
    };
    return round as unknown as ChartConfiguration;
  }

  // Every other type is drawn on x/y axes. Each dataset is drawn the way its
  // renderAs says, against the axis its axis says: that is what makes
  // DUAL_AXIS bars-left, lines-right, and it costs the other types nothing.
  const horizontal = type === "HORIZONTAL_BAR";
  const stacked = type === "STACKED_BAR";
  const right = data.datasets.filter((d) => d.axis === "RIGHT");
  const left = data.datasets.filter((d) => d.axis !== "RIGHT");
  const datasets = data.datasets.map((d) => dataset(d, horizontal));
  const valueAxis = (sets: Dataset[], position: "left" | "right", grid: boolean) =>
    ({
      type: "linear",
      position,
      stacked,
      // Bars and areas start at zero; lines may zoom in on their range.
      beginAtZero: sets.some((d) => d.renderAs !== "LINE"),
      grid: { display: grid, color: "#eef0f3" },
      ticks: { callback: (v: number | string) => formatTick(v) },
      title: {
        display: right.length > 0,
        text: sets.map((d) => d.label).join(", "),
      },
    }) as unknown as ScaleOptionsByType<"linear">;

  const scales: Record<string, unknown> = horizontal
    ? {
        x: { ...valueAxis(left, "left", true), position: "bottom", title: { display: false } },
        y: { type: "category", grid: { display: false }, stacked },
      }
    : {
        x: { type: "category", grid: { display: false }, stacked, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: valueAxis(left.length ? left : data.datasets, "left", true),
        ...(right.length ? { y1: valueAxis(right, "right", false) } : {}),
      };

  return {
    type: asLine(type) ? "line" : "bar",
    data: { labels, datasets: datasets as ChartDataset<ChartJsType>[] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      interaction: { mode: "index", intersect: false },
      scales: scales as never,
      plugins: {
        legend: {
          display: data.datasets.length > 1,
          position: "bottom",
          // In the API's order, not the drawing order (lines are drawn over bars).
          labels: { boxWidth: 12, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) },
        },
        tooltip: {
          callbacks: {
            label: (item: TooltipItem<ChartJsType>) =>
              `${item.dataset.label}: ${formatValue(item.raw as number | null, item.dataset.label ?? "")}`,
          },
        },
      },
    },
    plugins: [drawnMarker],
  };
}

function dataset(d: Dataset, horizontal: boolean): ChartDataset<"bar" | "line"> {
  const axis = d.axis === "RIGHT" && !horizontal ? { yAxisID: "y1" } : {};
  if (asLine(d.renderAs)) {
    const area = d.renderAs === "AREA";
    return {
      type: "line",
      label: d.label,
      data: d.data,
      borderColor: d.color,
      backgroundColor: alpha(d.color, area ? 0.25 : 1),
      fill: area ? "origin" : false,
      borderWidth: 2,
      pointRadius: d.data.length > 40 ? 0 : 2.5,
      tension: 0.25,
      cubicInterpolationMode: "monotone", // no curve past the data
      order: 0, // lines over bars
      ...axis,
    };
  }
  return {
    type: "bar",
    label: d.label,
    data: d.data,
    backgroundColor: alpha(d.color, 0.85),
    borderColor: d.color,
    borderWidth: 0,
    borderRadius: 2,
    maxBarThickness: 48,
    order: 1,
    ...axis,
  };
}

function roundTooltip(item: TooltipItem<"pie" | "doughnut">, data: ChartData): string {
  const d = data.datasets[item.datasetIndex];
  const total = d.data.reduce<number>((s, v) => s + (v ?? 0), 0);
  const v = d.data[item.dataIndex];
  const share = total > 0 && v !== null ? ` (${((v / total) * 100).toFixed(1)} %)` : "";
  return `${item.label}: ${formatValue(v, d.label)}${share}`;
}
