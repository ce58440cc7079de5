package dev.slicefine.deploy;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Parses rendered manifests strictly, since no cluster or kubeconform is available: every document must be a kind
 * this chart is known to render, it is bound to the fabric8 Kubernetes model class of that kind with no scalar
 * coercion, and then (1) no object anywhere in the tree may have caught a field in its {@code additionalProperties}
 * (fabric8's classes accept unknown fields there instead of failing) and (2) writing the object back must give the
 * document again, so nothing was dropped or reinterpreted.
 *
 * <p>The three custom resources (CloudNativePG {@code Cluster}, Prometheus Operator {@code ServiceMonitor}, KEDA
 * {@code ScaledObject}) have no class in the fabric8 core model; they are bound to the records below, which spell
 * out the subset of each CRD's schema the chart uses (field names from the operators' CRDs) and fail on any other
 * field.
 */
final class StrictManifests {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private static final Map<String, Class<?>> KINDS = Map.of(
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "postgresql.cnpg.io/v1/Cluster", CnpgCluster.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "keda.sh/v1alpha1/ScaledObject", ScaledObject.class);

    private StrictManifests() {}

    /** Every non-empty YAML document of {@code helm template}'s output, parsed strictly. */
    static List<Object> parse(String rendered) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Object> out = new ArrayList<>();
        for (Object doc : yaml.loadAll(rendered)) {
            if (doc == null) {
                continue;
            }
            if (!(doc instanceof Map<?, ?> map)) {
                throw new AssertionError("A rendered document is not a mapping: " + doc);
            }
            out.add(parseOne(map));
        }
        return out;
    }

    private static Object parseOne(Map<?, ?> doc) {
        String type = doc.get("apiVersion") + "/" + doc.get("kind");
        Class<?> cls = KINDS.get(type);
        if (cls == null) {
            throw new AssertionError("Unexpected kind " + type + " (register its model class in StrictManifests)");
        }
        JsonNode tree = MAPPER.valueToTree(doc);
        Object parsed;
        try {
            parsed = MAPPER.treeToValue(tree, cls);
        } catch (Exception e) {
            throw new AssertionError(type + " " + nameOf(doc) + " does not bind to " + cls.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        findAdditionalProperties(parsed, type, unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) {
            throw new AssertionError(type + " " + nameOf(doc) + " has fields unknown to the model: " + unknown);
        }
        JsonNode back = MAPPER.valueToTree(parsed);
        String diff = firstDifference(tree, back, "");
        if (diff != null) {
            throw new AssertionError(type + " " + nameOf(doc) + " does not survive the model unchanged: " + diff);
        }
        return parsed;
    }

    private static String nameOf(Map<?, ?> doc) {
        return doc.get("metadata") instanceof Map<?, ?> m ? String.valueOf(m.get("name")) : "(no metadata)";
    }

    /** Walks fabric8 model objects through their getters and collects every non-empty additionalProperties map. */
    private static void findAdditionalProperties(Object o, String path, List<String> out, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                findAdditionalProperties(e, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                findAdditionalProperties(e.getValue(), path + "." + e.getKey(), out, seen);
            }
            return;
        }
        if (o instanceof Record r) {
            for (var component : r.getClass().getRecordComponents()) {
                try {
                    findAdditionalProperties(component.getAccessor().invoke(r), path + "." + component.getName(), out, seen);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + " " + extra.keySet());
                }
            } else {
                String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                findAdditionalProperties(value, path + "." + field, out, seen);
            }
        }
    }

    /**
     * The first place where the written-back tree differs from the rendered one; scalars compare by their text (a
     * quantity such as {@code 1} comes back as {@code "1"}), and an empty list or map equals an absent one.
     */
    private static String firstDifference(JsonNode a, JsonNode b, String path) {
        if (isEmpty(a) && isEmpty(b)) {
            return null;
        }
        if (a == null || b == null) {
            return path + ": " + a + " vs " + b;
        }
        if (a.isValueNode() && b.isValueNode()) {
            return a.asString().equals(b.asString()) ? null : path + ": " + a + " vs " + b;
        }
        if (a.isObject() && b.isObject()) {
            Set<String> names = new java.util.TreeSet<>();
            names.addAll(a.propertyNames());
            names.addAll(b.propertyNames());
            for (String n : names) {
                String d = firstDifference(a.get(n), b.get(n), path + "." + n);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return path + ": " + a.size() + " items vs " + b.size();
            }
            Iterator<JsonNode> ia = a.iterator();
            Iterator<JsonNode> ib = b.iterator();
            for (int i = 0; ia.hasNext(); i++) {
                String d = firstDifference(ia.next(), ib.next(), path + "[" + i + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return path + ": " + a.getNodeType() + " vs " + b.getNodeType();
    }

    private static boolean isEmpty(JsonNode n) {
        return n == null || n.isNull() || (n.isContainer() && n.isEmpty());
    }

    // --- The custom resources: the CRD fields the chart uses, nothing else accepted. ---

    record CnpgCluster(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {
        record Spec(int instances, String imageName, Bootstrap bootstrap, Storage storage) {}
        record Bootstrap(InitDb initdb) {}
        record InitDb(String database, String owner) {}
        record Storage(String size, String storageClass) {}
    }

    record ServiceMonitor(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {
        record Spec(Selector selector, List<Endpoint> endpoints) {}
        record Selector(Map<String, String> matchLabels) {}
        record Endpoint(String port, String path, String interval) {}
    }

    record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {
        record Spec(Target scaleTargetRef, int minReplicaCount, int maxReplicaCount, int pollingInterval,
                    int cooldownPeriod, List<Trigger> triggers) {}
        record Target(String name, String kind, String apiVersion) {}
        record Trigger(String type, Map<String, String> metadata) {}
    }

    static ObjectMeta metadata(Object o) {
        if (o instanceof HasMetadata h) {
            return h.getMetadata();
        }
        if (o instanceof CnpgCluster c) {
            return c.metadata();
        }
        if (o instanceof ServiceMonitor s) {
            return s.metadata();
        }
        if (o instanceof ScaledObject s) {
            return s.metadata();
        }
        throw new IllegalArgumentException(o.getClass().getName());
    }
}
