// Bar charts of counts by year, with ECharts: only the bar chart, the grid, the tooltip and
// the canvas renderer are imported, not the whole library.
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "preact/hooks";

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface YearCount {
  year: number;
  count: number;
}

/** Years from the first to the last, gaps filled with zero, so the axis reads as time. */
export function fillYears(counts: YearCount[]): YearCount[] {
  if (counts.length === 0) return [];
  const byYear = new Map(counts.map((c) => [c.year, c.count]));
  const years = counts.map((c) => c.year);
  const result: YearCount[] = [];
  for (let year = Math.min(...years); year <= Math.max(...years); year++) {
    result.push({ year, count: byYear.get(year) ?? 0 });
  }
  return result;
}

export function YearChart({ counts, label }: { counts: YearCount[]; label: string }) {
  const element = useRef<HTMLDivElement>(null);
  const filled = fillYears(counts);
  useEffect(() => {
    if (!element.current) return undefined;
    const chart = echarts.init(element.current, undefined, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 36, right: 12, top: 12, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: filled.map((c) => String(c.year)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: label, data: filled.map((c) => c.count), itemStyle: { color: "#2f6f9f" } }],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [JSON.stringify(filled), label]);
  return (
    <figure class="chart">
      <div ref={element} class="chart-canvas" role="img" aria-label={label} data-years={filled.length} />
      <figcaption class="muted">{label}</figcaption>
    </figure>
  );
}
