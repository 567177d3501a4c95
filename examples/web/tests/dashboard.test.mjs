// Browser test of the web dashboard against a running dashgraph server that
// serves the built page at /app/ (scripts/test-web.sh starts one with demo
// data). Drives Debian's Chromium through playwright-core: never a browser
// that a test tool downloads.
//
//   BASE_URL=http://127.0.0.1:8080 node --test-reporter=spec tests/dashboard.test.mjs
//
// Environment: BASE_URL (required), CHROMIUM (default /usr/bin/chromium),
// ARTIFACTS (default test-artifacts), BROKEN_DASHBOARD (the name of a
// dashboard whose last chart fails on the server; its test is skipped only
// when the variable is unset, and says so).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const BASE_URL = process.env.BASE_URL?.replace(/\/$/, "");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = resolve(process.env.ARTIFACTS ?? join(here, "..", "test-artifacts"));
const EMAIL = "analyst@dashgraph.test";
const PASSWORD = "demo-password";
const DASHBOARD_QUERY = /dashboard\(id: \$id\)/;

if (!BASE_URL) throw new Error("BASE_URL is not set: point it at a dashgraph server that serves /app/");
if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
mkdirSync(ARTIFACTS, { recursive: true });

// Flags for a machine without internet: no background connections, no
// component updates, a fresh profile.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let profile;
let context;
let page;
/** Every request the page made, in order. */
const requests = [];
const pageErrors = [];
const summary = { baseUrl: BASE_URL, dashboards: {} };
/** The chart types drawn so far, over all dashboards. */
const drawnTypes = new Set();

before(async () => {
  profile = mkdtempSync(join(tmpdir(), "dashgraph-web-chromium-"));
  // launchPersistentContext is how playwright takes --user-data-dir.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1360, height: 900 },
    deviceScaleFactor: 1,
    reducedMotion: "reduce", // the page turns chart animations off
    timeout: 60_000,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on("request", (r) =>
    requests.push({ url: r.url(), method: r.method(), body: r.postData() ?? "", type: r.resourceType() }),
  );
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(`console: ${m.text()}`);
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  writeFileSync(join(ARTIFACTS, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
});

const isGraphQL = (r) => new URL(r.url).pathname === "/graphql" && r.method === "POST";
const isDashboardQuery = (r) => isGraphQL(r) && DASHBOARD_QUERY.test(r.body);

/** Waits until the open dashboard is loaded and every canvas has been drawn. */
async function waitForDashboard() {
  await page.waitForSelector('main.dashboard[data-state="loaded"], main.dashboard[data-state="error"]');
  const state = await page.getAttribute("main.dashboard", "data-state");
  assert.equal(state, "loaded", `the dashboard did not load: ${await page.textContent("main.dashboard")}`);
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".tile")].every((t) => !t.querySelector("canvas") || t.dataset.drawn === "true"),
  );
}

/** What each tile shows, read in the page: pixels of canvases, text of the others. */
function inspectTiles() {
  return page.$$eval(".tile", (tiles) =>
    tiles.map((tile) => {
      const out = {
        name: tile.querySelector("h3")?.textContent ?? "",
        type: tile.dataset.chartType,
        state: tile.dataset.state,
        fromCache: tile.dataset.fromCache ?? null,
        badge: tile.querySelector(".badge")?.textContent ?? "",
        error: tile.querySelector(".tile-error")?.textContent ?? "",
      };
      const canvas = tile.querySelector("canvas");
      if (canvas) {
        const { width, height } = canvas;
        const px = canvas.getContext("2d").getImageData(0, 0, width, height).data;
        const colors = JSON.parse(tile.dataset.colors ?? "[]").map((hex) =>
          [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)),
        );
        let painted = 0;
        let series = 0;
        for (let i = 0; i < px.length; i += 4) {
          if (px[i + 3] === 0) continue;
          painted++;
          if (
            px[i + 3] > 40 &&
            colors.some((c) => Math.abs(c[0] - px[i]) + Math.abs(c[1] - px[i + 1]) + Math.abs(c[2] - px[i + 2]) < 60)
          )
            series++;
        }
        Object.assign(out, {
          kind: "canvas",
          width,
          height,
          painted: painted / (width * height),
          seriesPixels: series,
          colors: colors.length,
        });
      } else if (tile.querySelector("table")) {
        const cells = [...tile.querySelectorAll("tbody td")].map((td) => td.textContent.trim());
        Object.assign(out, {
          kind: "table",
          rows: tile.querySelectorAll("tbody tr").length,
          cells: cells.length,
          filled: cells.filter((c) => c !== "").length,
        });
      } else if (tile.querySelector(".number")) {
        Object.assign(out, {
          kind: "number",
          value: tile.querySelector(".number-value")?.textContent ?? "",
          others: [...tile.querySelectorAll(".number-rest dd")].map((d) => d.textContent),
        });
      } else {
        out.kind = "none";
      }
      return out;
    }),
  );
}

function assertDrawn(tile) {
  const where = `tile "${tile.name}" (${tile.type})`;
  drawnTypes.add(tile.type);
  assert.equal(tile.state, "ready", `${where} is ${tile.state}: ${tile.error}`);
  assert.match(tile.badge, /^(from cache|computed)$/, `${where} does not say whether it came from the cache`);
  switch (tile.kind) {
    case "canvas":
      assert.ok(tile.width > 100 && tile.height > 100, `${where}: canvas is ${tile.width}x${tile.height}`);
      assert.ok(tile.painted > 0.02, `${where}: canvas is blank (${(tile.painted * 100).toFixed(2)} % painted)`);
      assert.ok(tile.seriesPixels > 300, `${where}: only ${tile.seriesPixels} pixels in the data's colors`);
      break;
    case "table":
      assert.ok(
        tile.rows > 0 && tile.filled === tile.cells,
        `${where}: table has ${tile.rows} rows, ${tile.filled}/${tile.cells} cells filled`,
      );
      break;
    case "number":
      assert.match(tile.value, /\d/, `${where}: big number is "${tile.value}"`);
      break;
    default:
      assert.fail(`${where} shows neither a chart, a table nor a number`);
  }
}

async function openDashboard(name) {
  await page.goto(`${BASE_URL}/app/#/`);
  const link = page.locator("a[data-dashboard-id]", { hasText: name });
  await link.waitFor();
  const mark = requests.length;
  const started = Date.now();
  await link.click();
  await waitForDashboard();
  await page.waitForLoadState("networkidle");
  const made = requests.slice(mark);
  return { made, ms: Date.now() - started };
}

test("sign in with the demo analyst", async () => {
  const mark = requests.length;
  const res = await page.goto(`${BASE_URL}/app/`);
  assert.equal(res.status(), 200, "GET /app/");
  await page.fill('input[name="email"]', EMAIL);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForSelector("a[data-dashboard-id]");
  assert.equal(await page.textContent('[data-testid="user"]'), EMAIL);
  const names = await page.$$eval("a[data-dashboard-id]", (as) => as.map((a) => a.textContent));
  assert.ok(names.includes("Practice Overview"), `dashboards: ${names.join(", ")}`);
  summary.signIn = {
    requests: requests.length - mark,
    list: requests.slice(mark).map((r) => `${r.method} ${new URL(r.url).pathname}`),
  };
  assert.deepEqual(pageErrors, []);
});

test("Practice Overview: one GraphQL request, all six charts drawn", async () => {
  const { made, ms } = await openDashboard("Practice Overview");
  const dashboardQueries = made.filter(isDashboardQuery);
  const graphql = made.filter(isGraphQL);
  console.log(
    `Practice Overview: ${made.length} HTTP request(s) to show the dashboard ` +
      `(${graphql.length} to /graphql, ${dashboardQueries.length} with the dashboard query), shown in ${ms} ms`,
  );
  assert.equal(dashboardQueries.length, 1, "requests to /graphql with the dashboard query");
  assert.equal(made.length, 1, `requests after clicking the dashboard: ${made.map((r) => r.url).join(", ")}`);

  const tiles = await inspectTiles();
  assert.equal(tiles.length, 6, "tiles on Practice Overview");
  const types = tiles.map((t) => t.type);
  assert.deepEqual(types, ["LINE", "STACKED_BAR", "PIE", "HORIZONTAL_BAR", "NUMBER", "DUAL_AXIS"]);
  for (const t of tiles) assertDrawn(t);

  // The request's cost is on the page.
  const cost = await page.$$eval(".cost-item", (items) =>
    Object.fromEntries(items.map((i) => [i.dataset.cost, i.querySelector("dd").textContent])),
  );
  for (const k of ["dbQueries", "redisRoundTrips", "cacheHits", "cacheMisses"]) {
    assert.match(cost[k] ?? "", /^\d+$/, `extensions.cost.${k} on the page: ${JSON.stringify(cost)}`);
  }
  await page.screenshot({ path: join(ARTIFACTS, "practice-overview.png"), fullPage: true });

  // A reload of the dashboard's URL: the page, its assets, one GraphQL request.
  const mark = requests.length;
  await page.reload();
  await waitForDashboard();
  await page.waitForLoadState("networkidle");
  const reload = requests.slice(mark);
  assert.equal(reload.filter(isGraphQL).length, 1, "GraphQL requests on reload");
  console.log(
    `Practice Overview, reloaded: ${reload.length} HTTP request(s): ` +
      reload.map((r) => new URL(r.url).pathname).join(", "),
  );
  summary.dashboards["Practice Overview"] = {
    requestsToShow: made.length,
    graphqlRequests: graphql.length,
    dashboardQueries: dashboardQueries.length,
    ms,
    requestsOnReload: reload.length,
    reload: reload.map((r) => new URL(r.url).pathname),
    cost,
    tiles: tiles.map(({ name, type, kind, fromCache, painted, seriesPixels }) => ({
      name,
      type,
      kind,
      fromCache,
      painted,
      seriesPixels,
    })),
  };
  assert.deepEqual(pageErrors, []);
});

test("every chart type: Revenue and Operations", async () => {
  for (const name of ["Revenue", "Operations"]) {
    const { made } = await openDashboard(name);
    assert.equal(made.filter(isDashboardQuery).length, 1, `${name}: requests with the dashboard query`);
    const tiles = await inspectTiles();
    assert.ok(tiles.length > 0, `${name} has no tiles`);
    for (const t of tiles) assertDrawn(t);
    await page.screenshot({ path: join(ARTIFACTS, `${name.toLowerCase()}.png`), fullPage: true });
    summary.dashboards[name] = { requestsToShow: made.length, types: tiles.map((t) => t.type) };
  }
  // With Practice Overview's, every chart type of the API.
  const all = [
    "LINE",
    "BAR",
    "STACKED_BAR",
    "HORIZONTAL_BAR",
    "AREA",
    "PIE",
    "DOUGHNUT",
    "TABLE",
    "NUMBER",
    "DUAL_AXIS",
  ];
  assert.deepEqual(
    all.filter((t) => !drawnTypes.has(t)),
    [],
    "chart types never drawn",
  );
  assert.deepEqual(pageErrors, []);
});

test(
  "a chart that fails on the server shows its error in its own tile",
  { skip: process.env.BROKEN_DASHBOARD ? false : "BROKEN_DASHBOARD is not set" },
  async () => {
    const name = process.env.BROKEN_DASHBOARD;
    const { made } = await openDashboard(name);
    assert.equal(made.filter(isDashboardQuery).length, 1);
    const tiles = await inspectTiles();
    const failed = tiles.filter((t) => t.state === "error");
    assert.equal(failed.length, 1, `failed tiles: ${JSON.stringify(tiles.map((t) => [t.name, t.state]))}`);
    assert.equal(failed[0], tiles[tiles.length - 1], "the failed tile is the broken (last) chart");
    assert.match(failed[0].error, /\(BAD_USER_INPUT\)/, `the tile's error: ${failed[0].error}`);
    assert.equal(failed[0].badge, "failed");
    for (const t of tiles.slice(0, -1)) assertDrawn(t);
    await page.screenshot({ path: join(ARTIFACTS, "broken-chart.png"), fullPage: true });
    summary.brokenChart = { error: failed[0].error };
    // The error tile is no page error.
    assert.deepEqual(pageErrors, []);
  },
);
