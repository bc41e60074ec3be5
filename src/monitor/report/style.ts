/** The report's stylesheet, inlined into the page. */
export const STYLE = `
:root{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;background:#fafafa}
body{margin:0 auto;max-width:1200px;padding:1rem 2rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.meta{color:#666;font-size:.85rem}.status{font-size:1.1rem;margin:.3rem 0}
.ok{color:#1b7f3b;font-weight:600}.bad{color:#b3261e;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.85rem;background:#fff}
th,td{border:1px solid #e3e3e3;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}tr.has-violation td:first-child{border-left:3px solid #b3261e}
details.feature{background:#fff;border:1px solid #e3e3e3;border-radius:4px;margin:.6rem 0;padding:.4rem .8rem}
details.feature summary{cursor:pointer}
.charts{display:flex;flex-wrap:wrap;gap:1rem;margin:.5rem 0}
svg.chart{background:#fff;border:1px solid #eee}svg .axis{stroke:#999}svg .tick{font-size:9px;fill:#555}
table.stats{width:auto;margin-bottom:.4rem}
.legend .swatch{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 .8rem;vertical-align:middle}
.swatch.base{background:#4e79a7}.swatch.cur{background:#f28e2b}
code{font-size:.85em}
`;
