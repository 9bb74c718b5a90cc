// Regenerates kubernetes-1.27-definitions.json (and prometheus-operator-podmonitor.json) from the
// npm packages named in README.md. Not run by the build: the JSON files are checked in.
//
//   mkdir /tmp/k8s-schemas && cd /tmp/k8s-schemas && npm init -y
//   npm install kubernetes-models@4.3.1 @kubernetes-models/prometheus-operator@4.0.0
//   node <this file> <output dir>
//
// The packages keep one JSON schema per OpenAPI definition, registered with their validator by
// id ("io.k8s.api.core.v1.Container"); this script captures those registrations for the kinds the
// manifests use (and everything they refer to), and rewrites references "ID#" to
// "#/definitions/ID" so that one self-contained file results. Nothing else is changed.
const fs = require("fs");
const path = require("path");

// Modules resolve from the folder the packages were installed in (the working directory).
const need = (name) => require(require.resolve(name, { paths: [process.cwd()] }));
const validate = need("@kubernetes-models/validate");
const captured = new Map();
validate.register = (id, schema) => {
  if (!captured.has(id)) captured.set(id, schema);
};

const roots = [
  "IoK8sApiCoreV1Namespace",
  "IoK8sApiCoreV1Secret",
  "IoK8sApiCoreV1ConfigMap",
  "IoK8sApiCoreV1Service",
  "IoK8sApiCoreV1ServiceAccount",
  "IoK8sApiCoreV1PersistentVolumeClaim",
  "IoK8sApiAppsV1StatefulSet",
  "IoK8sApiAppsV1Deployment",
  "IoK8sApiBatchV1CronJob",
  "IoK8sApiRbacV1Role",
  "IoK8sApiRbacV1RoleBinding",
  "IoK8sApiPolicyV1PodDisruptionBudget",
];
for (const root of roots) {
  require(path.join(process.cwd(), "node_modules/kubernetes-models/_schemas", `${root}.js`)).addSchema();
}

function rewrite(node) {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node && typeof node === "object") {
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === "$ref" && typeof value === "string" && value.endsWith("#")
        ? "#/definitions/" + value.slice(0, -1)
        : rewrite(value);
    }
    return out;
  }
  return node;
}

function write(file, ids, source) {
  const definitions = {};
  for (const id of [...ids].sort()) definitions[id] = rewrite(captured.get(id));
  const doc = { $comment: source, definitions };
  fs.writeFileSync(file, JSON.stringify(doc, null, 1) + "\n");
  console.log(file, Object.keys(definitions).length, "definitions");
}

const out = process.argv[2] || ".";
const kubernetesIds = [...captured.keys()];
write(path.join(out, "kubernetes-1.27-definitions.json"), kubernetesIds,
  "Kubernetes 1.27 OpenAPI definitions as shipped in the npm package kubernetes-models@4.3.1 "
  + "(and @kubernetes-models/apimachinery@1.2.2), MIT licence; extracted by extract-kubernetes-schemas.cjs");

// The PodMonitor model registers its own schema (generated from the prometheus-operator CRD).
const before = new Set(captured.keys());
const { PodMonitor } = need("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor");
try {
  // validate() registers the schema first (captured above), then fails: the real validator never saw it.
  new PodMonitor({ metadata: { name: "x" }, spec: { selector: {}, podMetricsEndpoints: [] } }).validate();
} catch (expected) {}
const added = [...captured.keys()].filter((id) => !before.has(id));
write(path.join(out, "prometheus-operator-podmonitor.json"), added,
  "The PodMonitor (monitoring.coreos.com/v1) schema as shipped in the npm package "
  + "@kubernetes-models/prometheus-operator@4.0.0, MIT licence; its ObjectMeta reference points into "
  + "kubernetes-1.27-definitions.json; extracted by extract-kubernetes-schemas.cjs");
