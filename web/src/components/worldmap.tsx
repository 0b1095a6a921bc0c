// The world with d3-geo and the Natural Earth shapes of world-atlas (a hashed asset of our own
// build: no tile server, no CDN). Institutions are circles sized by talent (area ∝ count),
// coloured inside/outside the home region; partners of the region as arcs. Zoomed into China
// or the home region, the provinces (loaded on demand) and the region's districts, as labelled
// circles at their seats (no district shapes with a usable licence exist), their labels placed
// so that none overlaps another.
import { geoGraticule10, geoNaturalEarth1, geoPath, type GeoPermissibleObjects } from "d3-geo";
import type { FeatureCollection, Geometry } from "geojson";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import worldUrl from "world-atlas/countries-110m.json?url";
import { formatNumber, useI18n } from "../i18n";
import { estimateSize, placeLabels, type Mark, type TextSize } from "./labels";
import { loadProvinces, provinceName, type Provinces } from "./provinces";

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

export type Focus = "world" | "china" | "region";

/** A district (or city) of the home region, drawn as a labelled circle at its seat. */
export interface MapPlace {
  id: string;
  name: string;
  lat: number;
  lon: number;
  institutions: number;
}

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

/** The region's seats, padded by about 20 km, as a shape to fit the projection to. */
function around(places: MapPlace[]): GeoPermissibleObjects {
  const lons = places.map((p) => p.lon);
  const lats = places.map((p) => p.lat);
  const [w, e, s, n] = [Math.min(...lons) - 0.25, Math.max(...lons) + 0.25, Math.min(...lats) - 0.2, Math.max(...lats) + 0.2];
  return { type: "MultiPoint", coordinates: [[w, s], [e, s], [e, n], [w, n]] };
}

const NO_PLACES: MapPlace[] = [];

function useShapes(focus: Focus) {
  const [countries, setCountries] = useState<FeatureCollection<Geometry, { name: string }> | null>(null);
  const [provinces, setProvinces] = useState<Provinces | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    loadShapes().then(setCountries, (e: unknown) => setFailed(String(e)));
  }, []);
  useEffect(() => {
    if (focus !== "world") loadProvinces().then(setProvinces, (e: unknown) => setFailed(String(e)));
  }, [focus]);
  return { countries, provinces: focus === "world" ? null : provinces, failed };
}

function fitted(focus: Focus, countries: FeatureCollection | null, places: MapPlace[]) {
  const base = geoNaturalEarth1();
  const inner: [[number, number], [number, number]] = [[20, 20], [WIDTH - 20, HEIGHT - 20]];
  if (countries && focus === "china") {
    const features = countries.features.filter((f) => CHINA.includes(String(f.id)));
    return base.fitExtent(inner, { type: "FeatureCollection", features });
  }
  if (focus === "region" && places.length > 0) return base.fitExtent(inner, around(places));
  return base.fitSize([WIDTH, HEIGHT], { type: "Sphere" });
}

interface MapProps {
  points: MapPoint[];
  arcs?: MapArc[];
  places?: MapPlace[];
  focus?: Focus;
  onSelect?: (id: string) => void;
  compact?: boolean;
}

type Project = (lonLat: [number, number]) => [number, number] | null;
type Hover = { point: MapPoint; x: number; y: number } | null;

export function WorldMap({ points, arcs = [], places = NO_PLACES, focus = "world", onSelect, compact = false }: MapProps) {
  const { t, lang } = useI18n();
  const { countries, provinces, failed } = useShapes(focus);
  const [hover, setHover] = useState<Hover>(null);
  const svg = useRef<SVGSVGElement>(null);
  const projection = useMemo(() => fitted(focus, countries, places), [countries, focus, places]);
  const path = geoPath(projection);
  const ready = countries !== null && (focus === "world" || provinces !== null);
  useEffect(() => {
    if (ready && svg.current) svg.current.dataset.drawn = String(points.length);
    else if (svg.current) delete svg.current.dataset.drawn;
  }, [ready, points, projection]);
  if (failed) return <p class="state error">{failed}</p>;
  return (
    <div class={compact ? "worldmap compact" : "worldmap"}>
      <svg ref={svg} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="group" aria-label={t("map.title")} data-testid="worldmap">
        <path class="sphere" d={path({ type: "Sphere" }) ?? ""} />
        <path class="graticule" d={path(geoGraticule10()) ?? ""} />
        {countries?.features.map((f) => (
          <path key={String(f.id)} class="country" d={path(f) ?? ""} />
        ))}
        {provinces && (
          <g data-testid="provinces" data-count={provinces.features.length}>
            {provinces.features.map((f) => (
              <path key={String(f.id)} class="province" data-id={String(f.id)} d={path(f) ?? ""}>
                <title>{provinceName(String(f.id), f.properties.name, lang)}</title>
              </path>
            ))}
          </g>
        )}
        {arcs.map((arc, i) => {
          const line: GeoPermissibleObjects = { type: "LineString", coordinates: [arc.from, arc.to] };
          return <path key={`arc-${i}`} class="arc" d={path(line) ?? ""} style={{ strokeWidth: 0.6 + Math.log2(1 + arc.weight) }} />;
        })}
        {countries && <Points points={points} project={projection} focus={focus} compact={compact} onSelect={onSelect} onHover={setHover} />}
        {ready && focus !== "world" && <Places places={places} project={projection} />}
      </svg>
      {hover && !compact && <Tooltip hover={hover} />}
      {!ready && <p class="state loading">{t("state.loading")}</p>}
    </div>
  );
}

interface PointsProps {
  points: MapPoint[];
  project: Project;
  focus: Focus;
  compact: boolean;
  onSelect?: (id: string) => void;
  onHover: (hover: Hover) => void;
}

/** The institutions, biggest first, so small circles stay on top and clickable. */
function Points({ points, project, focus, compact, onSelect, onHover }: PointsProps) {
  const { lang } = useI18n();
  const max = Math.max(1, ...points.map((p) => p.value));
  const zoom = focus === "region" ? 0.6 : 1; // district labels need the room
  const radius = (value: number) => (compact ? 5 : (3 + 14 * Math.sqrt(value / max)) * zoom);
  const ordered = [...points].sort((a, b) => b.value - a.value);
  return (
    <>
      {ordered.map((point) => {
        const xy = project([point.lon, point.lat]);
        if (!xy) return null;
        const label = `${point.name}: ${formatNumber(lang, point.value)}`;
        const select = () => onSelect?.(point.id);
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
            onMouseEnter={() => onHover({ point, x: xy[0], y: xy[1] })}
            onMouseLeave={() => onHover(null)}
            onFocus={() => onHover({ point, x: xy[0], y: xy[1] })}
            onBlur={() => onHover(null)}
            onClick={select}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                select();
              }
            }}
          >
            <title>{label}</title>
          </circle>
        );
      })}
    </>
  );
}

function Tooltip({ hover }: { hover: NonNullable<Hover> }) {
  const { t, lang } = useI18n();
  return (
    <div class="tooltip" role="tooltip" style={{ left: `${(hover.x / WIDTH) * 100}%`, top: `${(hover.y / HEIGHT) * 100}%` }}>
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
  );
}

const FONT = 12; // .place-label's font-size, in the map's units

/** Each label's box around its origin, as the browser lays it out (estimated where it cannot:
 * a text not laid out yet has an empty box). */
function measured(group: SVGGElement | null, places: MapPlace[]): TextSize[] {
  const texts = group ? [...group.querySelectorAll<SVGTextElement>("g.place text")] : [];
  return places.map((place, i) => {
    const text = texts[i];
    const box = text?.getBBox();
    if (!text || !box || box.width === 0) return estimateSize(place.name, FONT);
    const [x, y] = [Number(text.getAttribute("x")), Number(text.getAttribute("y"))];
    return { dx: box.x - x, dy: box.y - y, width: box.width, height: box.height };
  });
}

/** The home region's places (zoomed into China: the city; into the region: its districts), a
labelled circle at each seat, its area the institutions in it; the labels placed so that none
overlaps another (components/labels.ts), measured as drawn, so in either script. */
function Places({ places, project }: { places: MapPlace[]; project: Project }) {
  const { t, lang } = useI18n();
  const group = useRef<SVGGElement>(null);
  const shown = places.flatMap((place) => {
    const xy = project([place.lon, place.lat]);
    return xy ? [{ place, xy }] : [];
  });
  const key = shown.map(({ place, xy }) => `${place.id}=${place.name}@${xy.join(",")}`).join("|");
  const [sizes, setSizes] = useState<{ key: string; sizes: TextSize[] } | null>(null);
  useLayoutEffect(() => setSizes({ key, sizes: measured(group.current, shown.map((s) => s.place)) }), [key]);
  const marks: Mark[] = shown.map(({ place, xy }, i) => ({
    x: xy[0],
    y: xy[1],
    r: 4 + 2 * Math.sqrt(place.institutions),
    weight: place.institutions,
    size: sizes?.key === key ? sizes.sizes[i] : estimateSize(place.name, FONT),
  }));
  const placed = placeLabels(marks, WIDTH, HEIGHT);
  return (
    <g ref={group} class="places" data-testid="districts" data-count={places.length} data-placed={sizes?.key === key ? "1" : undefined}>
      {shown.map(({ place }, i) => {
        const mark = marks[i];
        const spot = placed[i];
        const label = `${place.name}: ${t("map.institutions", { count: formatNumber(lang, place.institutions) })}`;
        const nearX = Math.max(spot.box.x0, Math.min(mark.x, spot.box.x1));
        const nearY = Math.max(spot.box.y0, Math.min(mark.y, spot.box.y1));
        return (
          <g key={place.id} class="place" data-id={place.id}>
            <circle cx={mark.x} cy={mark.y} r={mark.r}>
              <title>{label}</title>
            </circle>
            {spot.moved && <line class="leader" x1={mark.x} y1={mark.y} x2={nearX} y2={nearY} />}
            <text x={spot.x} y={spot.y} class="place-label">
              {place.name}
            </text>
          </g>
        );
      })}
    </g>
  );
}
