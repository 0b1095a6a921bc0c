// Works per year with the next years' forecast and its interval, with ECharts: only the bar and
// line charts, the grid, the tooltip, the legend and the canvas renderer are imported.
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "preact/hooks";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface ForecastYear {
  year: number;
  works: number;
  low: number;
  high: number;
}

export interface ForecastLabels {
  title: string;
  works: string;
  forecast: string;
  interval: string;
}

export function ForecastChart({
  years,
  forecast,
  labels,
}: {
  years: { year: number; works: number }[];
  forecast: ForecastYear[];
  labels: ForecastLabels;
}) {
  const element = useRef<HTMLDivElement>(null);
  const axis = [...years.map((y) => y.year), ...forecast.map((f) => f.year)];
  const key = JSON.stringify([years, forecast, labels]);
  useEffect(() => {
    if (!element.current) return undefined;
    const chart = echarts.init(element.current, undefined, { renderer: "canvas" });
    const pad = years.map(() => null);
    const last = years[years.length - 1];
    // The forecast line starts at the last observed year, so the two read as one series.
    const line = last ? [...pad.slice(1), last.works, ...forecast.map((f) => f.works)] : forecast.map((f) => f.works);
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 12, top: 30, bottom: 28 },
      legend: { top: 0, data: [labels.works, labels.forecast, labels.interval] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: axis.map(String) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", name: labels.works, data: [...years.map((y) => y.works), ...forecast.map(() => null)], itemStyle: { color: "#2f6f9f" } },
        // The interval: an invisible base at `low`, and `high - low` stacked on it as a band.
        { type: "line", name: "low", stack: "interval", data: [...pad, ...forecast.map((f) => f.low)], lineStyle: { opacity: 0 }, symbol: "none", tooltip: { show: false } },
        {
          type: "line",
          name: labels.interval,
          stack: "interval",
          data: [...pad, ...forecast.map((f) => f.high - f.low)],
          lineStyle: { opacity: 0 },
          symbol: "none",
          areaStyle: { color: "rgba(214, 120, 40, 0.25)" },
          itemStyle: { color: "rgba(214, 120, 40, 0.5)" },
        },
        { type: "line", name: labels.forecast, data: line, itemStyle: { color: "#d67828" }, lineStyle: { type: "dashed" } },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [key]);
  return (
    <figure class="chart">
      <div
        ref={element}
        class="chart-canvas"
        role="img"
        aria-label={labels.title}
        data-testid="heat-chart"
        data-years={years.length}
        data-forecast={forecast.length}
      />
      <figcaption class="muted">{labels.title}</figcaption>
    </figure>
  );
}
