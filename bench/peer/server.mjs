// The peer of the API benchmark (bench/peer.py): the questions TalentMap's API answers, served
// by @neo4j/graphql over the same graph. Its type definitions are in typedefs.graphql: the
// library generates the queries, filters, sorting and connections; the Cypher of our own
// queries appears only where the library has nothing generated (@cypher fields).
//
// Environment: NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE, PEER_PORT.
// Serves POST /graphql and GET /readyz on 127.0.0.1.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { createHandler } from "graphql-http/lib/use/http";
import neo4j from "neo4j-driver";

const env = process.env;
const typeDefs = readFileSync(new URL("./typedefs.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(
  env.NEO4J_URI ?? "bolt://127.0.0.1:7687",
  neo4j.auth.basic(env.NEO4J_USERNAME ?? "neo4j", env.NEO4J_PASSWORD ?? "neo4j"),
);
const database = env.NEO4J_DATABASE ?? "neo4j";
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const graphql = createHandler({
  schema,
  context: () => ({ sessionConfig: { database } }),
});

const server = createServer((req, res) => {
  if (req.url === "/readyz") {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  } else if (req.url?.startsWith("/graphql")) {
    graphql(req, res);
  } else {
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 60_000;
const port = Number(env.PEER_PORT ?? 4000);
server.listen(port, "127.0.0.1", () => console.log(`peer on http://127.0.0.1:${port}/graphql`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    driver.close().finally(() => process.exit(0));
  });
}
