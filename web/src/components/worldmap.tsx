// The world with d3-geo and the Natural Earth shapes of world-atlas (a hashed asset of our own
// build: no tile server, no CDN). Institutions are circles sized by talent (area ∝ count),
// coloured inside/outside the home region; partners of the region as arcs.
import { geoGraticule10, geoNaturalEarth1, geoPath, type GeoPermissibleObjects } from "d3-geo";
import type { FeatureCollection, Geometry } from "geojson";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import worldUrl from "world-atlas/countries-110m.json?url";
import { formatNumber, useI18n } from "../i18n";

export interface MapPoint {
  id: string;
  name: string;
  lat: number;
  lon: number;
  value: number;
  inside: boolean | null;
}

export interface MapArc {
  from: [number, number];
  to: [number, number];
  weight: number;
}

export type Focus = "world" | "china";

let shapes: Promise<FeatureCollection<Geometry, { name: string }>> | null = null;

function loadShapes() {
  shapes ??= fetch(worldUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`world shapes: HTTP ${r.status}`);
      return r.json() as Promise<Topology<{ countries: GeometryCollection<{ name: string }> }>>;
    })
    .then((topology) => feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>);
  return shapes;
}

const WIDTH = 960;
const HEIGHT = 500;
const CHINA = ["156", "158"]; // ISO 3166 numeric: China, Taiwan

export function WorldMap({
  points,
  arcs = [],
  focus = "world",
  onSelect,
  compact = false,
}: {
  points: MapPoint[];
  arcs?: MapArc[];
  focus?: Focus;
  onSelect?: (id: string) => void;
  compact?: boolean;
}) {
  const { t, lang } = useI18n();
  const [countries, setCountries] = useState<FeatureCollection<Geometry, { name: string }> | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [hover, setHover] = useState<{ point: MapPoint; x: number; y: number } | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  useEffect(() => {
    loadShapes().then(setCountries, (e: unknown) => setFailed(String(e)));
  }, []);
  const projection = useMemo(() => {
    const base = geoNaturalEarth1();
    if (!countries) return base.fitSize([WIDTH, HEIGHT], { type: "Sphere" });
    if (focus === "china") {
      const china: FeatureCollection = {
        type: "FeatureCollection",
        features: countries.features.filter((f) => CHINA.includes(String(f.id))),
      };
      return base.fitExtent([[20, 20], [WIDTH - 20, HEIGHT - 20]], china);
    }
    return base.fitSize([WIDTH, HEIGHT], { type: "Sphere" });
  }, [countries, focus]);
  const path = geoPath(projection);
  const max = Math.max(1, ...points.map((p) => p.value));
  const radius = (value: number) => (compact ? 5 : 3 + 14 * Math.sqrt(value / max));
  useEffect(() => {
    if (countries && svg.current) svg.current.dataset.drawn = String(points.length);
  }, [countries, points, projection]);
  if (failed) return <p class="state error">{failed}</p>;
  // Biggest first, so small circles stay on top and clickable.
  const ordered = [...points].sort((a, b) => b.value - a.value);
  return (
    <div class={compact ? "worldmap compact" : "worldmap"}>
      <svg
        ref={svg}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="group"
        aria-label={t("map.title")}
        data-testid="worldmap"
      >
        <path class="sphere" d={path({ type: "Sphere" }) ?? ""} />
        <path class="graticule" d={path(geoGraticule10()) ?? ""} />
        {countries?.features.map((f) => (
          <path key={String(f.id)} class="country" d={path(f) ?? ""} />
        ))}
        {arcs.map((arc, i) => {
          const line: GeoPermissibleObjects = { type: "LineString", coordinates: [arc.from, arc.to] };
          return <path key={`arc-${i}`} class="arc" d={path(line) ?? ""} style={{ strokeWidth: 0.6 + Math.log2(1 + arc.weight) }} />;
        })}
        {countries &&
          ordered.map((point) => {
            const xy = projection([point.lon, point.lat]);
            if (!xy) return null;
            const label = `${point.name}: ${formatNumber(lang, point.value)}`;
            return (
              <circle
                key={point.id}
                class={point.inside ? "point inside" : "point"}
                cx={xy[0]}
                cy={xy[1]}
                r={radius(point.value)}
                tabIndex={onSelect ? 0 : -1}
                role={onSelect ? "link" : undefined}
                aria-label={label}
                data-id={point.id}
                onMouseEnter={() => setHover({ point, x: xy[0], y: xy[1] })}
                onMouseLeave={() => setHover(null)}
                onFocus={() => setHover({ point, x: xy[0], y: xy[1] })}
                onBlur={() => setHover(null)}
                onClick={() => onSelect?.(point.id)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    onSelect?.(point.id);
                  }
                }}
              >
                <title>{label}</title>
              </circle>
            );
          })}
      </svg>
      {hover && !compact && (
        <div
          class="tooltip"
          role="tooltip"
          style={{ left: `${(hover.x / WIDTH) * 100}%`, top: `${(hover.y / HEIGHT) * 100}%` }}
        >
          <strong>{hover.point.name}</strong>
          <br />
          {t("map.talent")}: {formatNumber(lang, hover.point.value)}
          {hover.point.inside !== null && (
            <>
              <br />
              {hover.point.inside ? t("map.inside") : t("map.outside")}
            </>
          )}
        </div>
      )}
      {!countries && <p class="state loading">{t("state.loading")}</p>}
    </div>
  );
}
