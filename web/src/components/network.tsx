// A co-author network with sigma (WebGL) on a graphology graph, laid out by ForceAtlas2.
// Tie strength is the edge width, the institution the colour; clicking a person recentres.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import { useEffect, useRef, useState } from "preact/hooks";
import Sigma from "sigma";
import { useI18n } from "../i18n";

export interface NetworkNode {
  id: string;
  label: string;
  group: string | null;
  ego?: boolean;
  hop: number;
}

export interface NetworkEdge {
  source: string;
  target: string;
  weight: number;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f"];
const OTHER = "#b8bec6";

/** Colours for the most frequent groups; the rest share grey. */
export function groupColours(nodes: NetworkNode[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const node of nodes) if (node.group) counts.set(node.group, (counts.get(node.group) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return new Map(ranked.slice(0, PALETTE.length).map(([group], i) => [group, PALETTE[i]]));
}

export function Network({
  nodes,
  edges,
  onSelect,
}: {
  nodes: NetworkNode[];
  edges: NetworkEdge[];
  onSelect: (id: string) => void;
}) {
  const { t } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const colours = groupColours(nodes);
  useEffect(() => {
    if (!container.current) return undefined;
    const graph = new Graph({ type: "undirected" });
    // Seeded start positions (a circle per hop), so the same network lays out the same way.
    nodes.forEach((node, i) => {
      const angle = (2 * Math.PI * i) / Math.max(1, nodes.length);
      const radius = node.ego ? 0 : node.hop * 10;
      graph.addNode(node.id, {
        label: node.label,
        x: radius * Math.cos(angle),
        y: radius * Math.sin(angle),
        size: node.ego ? 14 : node.hop === 1 ? 7 : 4,
        color: node.ego ? "#111827" : (node.group && colours.get(node.group)) || OTHER,
      });
    });
    for (const edge of edges) {
      if (edge.source === edge.target || !graph.hasNode(edge.source) || !graph.hasNode(edge.target)) continue;
      if (graph.hasEdge(edge.source, edge.target)) continue;
      graph.addEdge(edge.source, edge.target, {
        size: 0.5 + Math.log2(1 + edge.weight) * 1.5,
        weight: edge.weight,
        color: "#9aa5b1",
      });
    }
    const started = performance.now();
    forceAtlas2.assign(graph, {
      iterations: 150,
      settings: { ...forceAtlas2.inferSettings(graph), edgeWeightInfluence: 1, gravity: 1 },
    });
    const layoutMs = performance.now() - started;
    let renderer: Sigma | null = null;
    try {
      renderer = new Sigma(graph, container.current, { renderEdgeLabels: false, labelRenderedSizeThreshold: 6 });
    } catch (e) {
      setFailed(String(e));
      return undefined;
    }
    renderer.on("clickNode", ({ node }) => onSelect(node));
    renderer.on("enterNode", () => container.current?.classList.add("pointer"));
    renderer.on("leaveNode", () => container.current?.classList.remove("pointer"));
    const element = container.current as HTMLDivElement & { sigma?: Sigma };
    element.sigma = renderer; // for the page tests and the benchmark: where each node is drawn
    element.dataset.layoutMs = layoutMs.toFixed(1);
    element.dataset.nodes = String(graph.order);
    element.dataset.edges = String(graph.size);
    return () => {
      renderer?.kill();
      delete element.sigma;
    };
  }, [JSON.stringify(nodes), JSON.stringify(edges)]);
  return (
    <div class="network-wrap">
      <div ref={container} class="network" role="img" aria-label={t("scientist.network")} data-testid="network" />
      {failed && <p class="state error">{t("network.unavailable")}</p>}
      <ul class="legend" aria-label={t("network.legend")}>
        {[...colours.entries()].map(([group, colour]) => (
          <li key={group}>
            <span class="swatch" style={{ background: colour }} /> {group}
          </li>
        ))}
        <li>
          <span class="swatch" style={{ background: OTHER }} /> {t("network.other")}
        </li>
      </ul>
      <p class="muted">{t("network.help")}</p>
    </div>
  );
}
