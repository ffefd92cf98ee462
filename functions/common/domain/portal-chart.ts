/**
 * The portal's chart of the last days' clicks (bars) and commission (a line), as an SVG that
 * scales to a phone's width. A chart is a picture: the same figures are also written out in a
 * table that screen readers read (and the SVG itself is hidden from them).
 */
import { html, type SafeHtml } from './storefront-html';

export interface ChartDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  clicks: number;
  commissionMinor: number;
}

const WIDTH = 320;
const HEIGHT = 160;
const PAD = { top: 16, right: 8, bottom: 22, left: 8 };

/** Bar and line geometry for `days`, in the chart's own coordinates (exported for tests). */
export function chartGeometry(days: readonly ChartDay[]) {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = days.length > 0 ? plotWidth / days.length : plotWidth;
  const maxClicks = Math.max(1, ...days.map((d) => d.clicks));
  const maxCommission = Math.max(1, ...days.map((d) => d.commissionMinor));
  const round = (n: number) => Math.round(n * 10) / 10;
  const bars = days.map((d, i) => {
    const height = round((d.clicks / maxClicks) * plotHeight);
    return {
      x: round(PAD.left + i * slot + slot * 0.15),
      y: round(PAD.top + plotHeight - height),
      width: round(slot * 0.7),
      height,
    };
  });
  const points = days.map((d, i) => ({
    x: round(PAD.left + i * slot + slot / 2),
    y: round(PAD.top + plotHeight - (Math.max(0, d.commissionMinor) / maxCommission) * plotHeight),
  }));
  return { bars, points, maxClicks, maxCommission };
}

export function activityChart(
  days: readonly ChartDay[],
  commissionText: (minor: number) => string,
): SafeHtml {
  const { bars, points } = chartGeometry(days);
  const first = days[0]?.day ?? '';
  const last = days[days.length - 1]?.day ?? '';
  const totalClicks = days.reduce((sum, d) => sum + d.clicks, 0);
  const totalCommission = days.reduce((sum, d) => sum + d.commissionMinor, 0);
  const line = points.map((p) => `${p.x},${p.y}`).join(' ');
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" aria-hidden="true" focusable="false">
<line class="axis" x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}"/>
${bars.map((b) => html`<rect class="bar" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}"/>`)}
${points.length > 1 ? html`<polyline class="line" points="${line}"/>` : ''}
<text class="lbl" x="${PAD.left}" y="${HEIGHT - 6}">${first.slice(5)}</text>
<text class="lbl" x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end">${last.slice(5)}</text>
</svg>
<figcaption><span class="key bar-key">Clicks</span> <span class="key line-key">Commission</span> · ${first} to ${last}: ${totalClicks} clicks, ${commissionText(totalCommission)}</figcaption>
<table class="sr-only"><caption>Clicks and commission per day</caption>
<thead><tr><th scope="col">Day</th><th scope="col">Clicks</th><th scope="col">Commission</th></tr></thead>
<tbody>${days.map((d) => html`<tr><th scope="row">${d.day}</th><td>${d.clicks}</td><td>${commissionText(d.commissionMinor)}</td></tr>`)}</tbody>
</table>
</figure>`;
}
