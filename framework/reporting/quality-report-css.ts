/** The quality report's whole stylesheet (inlined in the page; light and dark colour schemes). */
export const QUALITY_REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --card: #ffffff; --text: #1f2328; --muted: #656d76; --line: #d8dee4; --soft: #eef1f4;
  --pass: #1a7f37; --warn: #b58105; --fail: #cf222e; --none: #c8d0d8;
  --quarantine: #8250df; --accent: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #8d96a0; --line: #30363d; --soft: #1f262e;
    --pass: #3fb950; --warn: #d29922; --fail: #f85149; --none: #3d444d; --quarantine: #a371f7; --accent: #4493f8;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 17px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 18px 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
.card {
  background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 20px; margin: 16px 0; box-shadow: 0 1px 2px rgba(0,0,0,.04);
}
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 20px 0; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; border-top: 4px solid var(--line); }
.tile .value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .label { color: var(--muted); font-size: 12.5px; }
.tile.pass { border-top-color: var(--pass); } .tile.warn { border-top-color: var(--warn); }
.tile.fail { border-top-color: var(--fail); } .tile.quarantine { border-top-color: var(--quarantine); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
tr:last-child td { border-bottom: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; line-height: 18px; white-space: nowrap; }
.pill.pass { background: color-mix(in srgb, var(--pass) 15%, transparent); color: var(--pass); }
.pill.warn { background: color-mix(in srgb, var(--warn) 18%, transparent); color: var(--warn); }
.pill.fail { background: color-mix(in srgb, var(--fail) 15%, transparent); color: var(--fail); }
.pill.none { background: var(--soft); color: var(--muted); }
.counts .pill { margin-right: 4px; }
.chip { display: inline-block; padding: 0 8px; border-radius: 6px; background: var(--soft); color: var(--muted); font-size: 12px; }
.asset-head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.asset-head h2 { margin: 0; }
h2 code { font-size: 16px; }
.asset-head .spacer { flex: 1; }
.chart { display: block; overflow: visible; }
.chart text { fill: var(--muted); font-size: 10.5px; font-family: inherit; }
.chart .axis, .chart .s-axis { stroke: var(--line); stroke-width: 1; }
.chart .grid { stroke: var(--line); stroke-dasharray: 2 3; }
.o-pass { fill: var(--pass); } .o-warn { fill: var(--warn); } .o-fail { fill: var(--fail); } .o-none { fill: var(--none); }
.s-line { fill: none; stroke-width: 1.6; stroke-linejoin: round; }
.s-area { stroke: none; opacity: .14; }
.s-failing.s-line { stroke: var(--fail); } .s-failing.s-area, .s-failing.s-dot { fill: var(--fail); }
.s-quarantined.s-line { stroke: var(--quarantine); } .s-quarantined.s-area, .s-quarantined.s-dot { fill: var(--quarantine); }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12.5px; color: var(--muted); margin-top: 8px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.legend .pass { background: var(--pass); } .legend .warn { background: var(--warn); } .legend .fail { background: var(--fail); }
.legend .none { background: var(--none); } .legend .quarantine { background: var(--quarantine); }
.message { color: var(--muted); font-size: 12.5px; margin-top: 2px; max-width: 520px; overflow-wrap: anywhere; }
details { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; background: var(--bg); }
summary { cursor: pointer; padding: 8px 12px; font-size: 13px; }
summary .kind-failing { color: var(--fail); font-weight: 600; } summary .kind-quarantined { color: var(--quarantine); font-weight: 600; }
.scroll { overflow-x: auto; padding: 0 12px 10px; }
.sample td, .sample th { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; white-space: nowrap; padding: 4px 10px; }
.sample td { max-width: 360px; overflow: hidden; text-overflow: ellipsis; }
.null { color: var(--muted); font-style: italic; }
.empty { text-align: center; padding: 40px 20px; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; text-align: center; }
`;
