// The dashgraph web dashboard: sign in, pick a dashboard, and load it with
// one GraphQL request (every chart's data included).
//
// Routes (in the URL's hash, so the page works under any path such as /app/):
//   #/                 the dashboards the user may open
//   #/dashboards/<id>  one dashboard
import "./style.css";
import { DashboardDocument, DashboardsDocument, LoginDocument, type DashboardsQuery } from "./generated/graphql";
import { describe, errorsUnder, request, TransportError, type GraphQLError, type GraphQLResult } from "./api";
import { renderTile, type RenderedTile } from "./charts";
import { h } from "./dom";

const app = document.getElementById("app")!;
const SESSION_KEY = "dashgraph.session";

interface Session {
  token: string;
  expiresAt: string;
  email: string;
}

function loadSession(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null") as Session | null;
    if (s && Date.parse(s.expiresAt) > Date.now()) return s;
  } catch {
    // A broken entry is no session.
  }
  sessionStorage.removeItem(SESSION_KEY);
  return null;
}

function signOut(message?: string) {
  sessionStorage.removeItem(SESSION_KEY);
  showLogin(message);
}

/** Tiles of the dashboard on screen, released before the next view. */
let tiles: RenderedTile[] = [];
/** Bumped on each view, so that a late answer does not draw over a newer view. */
let viewSeq = 0;

function present(...nodes: (Node | null)[]): Node[] {
  return nodes.filter((n): n is Node => n !== null);
}

function setView(...children: (Node | null)[]) {
  for (const t of tiles) t.destroy();
  tiles = [];
  app.replaceChildren(...present(...children));
}

function topBar(session: Session | null): HTMLElement {
  return h(
    "header",
    { class: "topbar" },
    h("a", { class: "brand", href: "#/" }, "dashgraph"),
    session
      ? h(
          "div",
          { class: "who" },
          h("span", { "data-testid": "user" }, session.email),
          h("button", { type: "button", class: "link", onclick: () => signOut() }, "Sign out"),
        )
      : null,
  );
}

function banner(kind: "error" | "info", ...lines: string[]): HTMLElement {
  return h(
    "div",
    { class: `banner banner-${kind}`, role: kind === "error" ? "alert" : "status" },
    ...lines.map((l) => h("p", {}, l)),
  );
}

/** True (and back to the login form) when the API says the token is no good. */
function sessionEnded(errors: GraphQLError[]): boolean {
  const e = errors.find((e) => e.extensions?.code === "UNAUTHENTICATED");
  if (!e) return false;
  signOut(`Your session has ended: ${e.message}`);
  return true;
}

function failed(err: unknown): string {
  return err instanceof TransportError ? err.message : `Something went wrong: ${String(err)}`;
}

// ---------------------------------------------------------------- login

function showLogin(message?: string) {
  viewSeq++;
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit" }, "Sign in");
  const status = h("div", { class: "form-status", "aria-live": "polite" });
  if (message) status.append(banner("info", message));

  const form = h(
    "form",
    { class: "login", novalidate: false },
    h("h1", {}, "Sign in"),
    h("label", {}, "Email", email),
    h("label", {}, "Password", password),
    submit,
    status,
    h("p", { class: "hint" }, "Demo: analyst@dashgraph.test / demo-password"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    status.replaceChildren();
    try {
      const res = await request(LoginDocument, { email: email.value.trim(), password: password.value }, null);
      const login = res.data?.login;
      if (!login) {
        status.append(banner("error", ...(res.errors.length ? res.errors.map((e) => e.message) : ["Sign-in failed."])));
        return;
      }
      const session: Session = {
        token: login.accessToken,
        expiresAt: login.accessTokenExpiresAt,
        email: email.value.trim(),
      };
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      // The hash still names where the user was going (a dashboard link
      // opened while signed out goes on to that dashboard).
      route();
    } catch (err) {
      status.append(banner("error", failed(err)));
    } finally {
      submit.disabled = false;
    }
  });
  setView(topBar(null), h("main", { class: "narrow" }, form));
  email.focus();
}

// ---------------------------------------------------------------- dashboards

async function showDashboards(session: Session) {
  const seq = ++viewSeq;
  const main = h("main", {}, h("h1", {}, "Dashboards"), h("p", { class: "muted" }, "Loading…"));
  setView(topBar(session), main);
  let res: GraphQLResult<DashboardsQuery>;
  try {
    res = await request(DashboardsDocument, {}, session.token);
  } catch (err) {
    if (seq === viewSeq) main.replaceChildren(h("h1", {}, "Dashboards"), banner("error", failed(err)));
    return;
  }
  if (seq !== viewSeq || sessionEnded(res.errors)) return;
  const list = res.data?.dashboards ?? [];
  main.replaceChildren(
    ...present(
      h("h1", {}, "Dashboards"),
      res.data?.me ? h("p", { class: "muted" }, `Signed in as ${res.data.me.name}.`) : null,
      res.errors.length ? banner("error", ...res.errors.map(describe)) : null,
      list.length
        ? h(
            "ul",
            { class: "dashboard-list" },
            ...list.map((d) =>
              h(
                "li",
                {},
                h("a", { href: `#/dashboards/${encodeURIComponent(d.id)}`, "data-dashboard-id": d.id }, d.name),
              ),
            ),
          )
        : res.errors.length
          ? null
          : h("p", {}, "No dashboard is shared with you."),
    ),
  );
}

// ---------------------------------------------------------------- one dashboard

async function showDashboard(session: Session, id: string) {
  const seq = ++viewSeq;
  const title = h("h1", {}, "Dashboard");
  const meta = h("div", { class: "meta" });
  const grid = h("section", { class: "grid", "aria-busy": "true" });
  const reload = h(
    "button",
    { type: "button", class: "secondary", onclick: () => void showDashboard(session, id) },
    "Reload",
  );
  const main = h(
    "main",
    { class: "dashboard", "data-state": "loading" },
    h("nav", { class: "crumbs" }, h("a", { href: "#/" }, "← Dashboards")),
    h("div", { class: "title-row" }, title, reload),
    meta,
    grid,
  );
  grid.append(h("p", { class: "muted" }, "Loading…"));
  setView(topBar(session), main);

  let res;
  try {
    res = await request(DashboardDocument, { id }, session.token);
  } catch (err) {
    if (seq === viewSeq) {
      grid.replaceChildren(banner("error", failed(err)));
      main.dataset.state = "error";
    }
    return;
  }
  if (seq !== viewSeq || sessionEnded(res.errors)) return;

  const dashboard = res.data?.dashboard;
  meta.replaceChildren(costLine(res));
  if (!dashboard) {
    grid.replaceChildren(
      banner("error", ...(res.errors.length ? res.errors.map(describe) : ["This dashboard could not be loaded."])),
    );
    main.dataset.state = "error";
    grid.removeAttribute("aria-busy");
    return;
  }
  title.textContent = dashboard.name;
  document.title = `${dashboard.name} · dashgraph`;
  if (dashboard.description) meta.prepend(h("p", { class: "description" }, dashboard.description));

  // An error whose path is dashboard.charts.<i>... belongs to chart i and is
  // shown in its tile; any other error is shown above the grid.
  const chartErrors = dashboard.charts.map((_, i) => errorsUnder(res.errors, ["dashboard", "charts", i]));
  const other = res.errors.filter((e) => !chartErrors.some((list) => list.includes(e)));
  if (other.length) meta.append(banner("error", ...other.map(describe)));

  tiles = dashboard.charts.map((chart, i) => renderTile(chart, chartErrors[i]));
  grid.replaceChildren(...tiles.map((t) => t.element));
  if (tiles.length === 0) grid.append(h("p", {}, "This dashboard has no charts."));
  for (const t of tiles) t.mount();
  grid.removeAttribute("aria-busy");
  main.dataset.state = "loaded";
}

/** One line on what loading the dashboard cost: the request and extensions.cost. */
function costLine(res: GraphQLResult<unknown>): HTMLElement {
  const c = res.cost;
  const item = (name: string, value: string | number, key: string) =>
    h("div", { class: "cost-item", "data-cost": key }, h("dt", {}, name), h("dd", {}, String(value)));
  return h(
    "dl",
    { class: "cost", title: res.requestId ? `Request id ${res.requestId}` : null },
    item("requests", 1, "requests"),
    item("time", `${Math.round(res.ms)} ms`, "ms"),
    ...(c
      ? [
          item("DB queries", c.dbQueries, "dbQueries"),
          item("Redis round trips", c.redisRoundTrips, "redisRoundTrips"),
          item("cache hits", c.cacheHits, "cacheHits"),
          item("cache misses", c.cacheMisses, "cacheMisses"),
        ]
      : [item("cost", "not reported", "none")]),
  );
}

// ---------------------------------------------------------------- routing

function route() {
  const session = loadSession();
  if (!session) {
    showLogin();
    return;
  }
  document.title = "dashgraph";
  const m = /^#\/dashboards\/([^/]+)$/.exec(location.hash);
  if (m) void showDashboard(session, decodeURIComponent(m[1]));
  else void showDashboards(session);
}

window.addEventListener("hashchange", route);
route();
