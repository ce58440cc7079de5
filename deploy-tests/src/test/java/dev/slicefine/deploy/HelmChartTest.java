package dev.slicefine.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart (helm/slicefine) through the real Helm engine (helm-java, Helm's Go code as a native library):
 * strict lint, then {@code helm template} for the default values and each value set under {@code ci/}, every
 * manifest parsed strictly into the fabric8 Kubernetes model ({@link StrictManifests}), and what each set is for
 * asserted on the objects.
 */
class HelmChartTest {
    private static final Path CHART = Path.of(System.getProperty("slicefine.chart.dir", "../helm/slicefine"))
            .toAbsolutePath().normalize();
    private static final String RELEASE = "sf";
    private static final String PREFIX = "sf-slicefine";
    /** The Kubernetes version rendered for (Helm's own default, 1.20, is below the chart's kubeVersion). */
    private static final String KUBE_VERSION = "1.31.0";

    @Test
    void lintStrictIsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void defaultsRenderApiWorkersAndNothingOptional() {
        Rendered r = render(null, t -> t);

        assertThat(r.kinds()).containsExactlyInAnyOrder("ServiceAccount", "Service", "Deployment", "Deployment",
                "PodDisruptionBudget", "PodDisruptionBudget");

        Deployment api = r.deployment(PREFIX + "-api");
        assertThat(api.getSpec().getReplicas()).isEqualTo(2);
        Container apiC = only(api);
        assertThat(apiC.getImage()).isEqualTo("slicefine/api:0.1.0");
        assertThat(env(apiC, "SLICEFINE_WORKER_EMBEDDED")).contains("false");
        assertThat(apiC.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(apiC.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(apiC.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(apiC.getPorts()).anyMatch(p -> "http".equals(p.getName()) && p.getContainerPort() == 8080);
        assertThat(apiC.getEnv()).noneMatch(e -> e.getName().equals("SLICEFINE_ADMIN_KEY"));

        Deployment worker = r.deployment(PREFIX + "-worker");
        assertThat(worker.getSpec().getReplicas()).isEqualTo(2);
        PodSpec wPod = worker.getSpec().getTemplate().getSpec();
        assertThat(wPod.getTerminationGracePeriodSeconds()).isEqualTo(300L);
        assertThat(wPod.getRuntimeClassName()).isNull();
        Container wC = only(worker);
        assertThat(wC.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        assertThat(wC.getImage()).isEqualTo("slicefine/worker:0.1.0");
        Volume shm = volume(wPod, "shm");
        assertThat(shm.getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(shm.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("2Gi"));
        assertThat(mount(wC, "shm").getMountPath()).isEqualTo("/dev/shm");
        // probes on the standalone worker's Actuator health port
        assertThat(wC.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("health");
            assertThat(p.getContainerPort()).isEqualTo(8081);
        });
        assertThat(env(wC, "SLICEFINE_WORKER_PORT")).contains("8081");
        assertThat(env(wC, "SLICEFINE_WORKER_DEVICE")).contains("auto");
        assertThat(wC.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(wC.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
        assertThat(wC.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(wC.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
        assertThat(wC.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(wC.getStartupProbe().getFailureThreshold() * wC.getStartupProbe().getPeriodSeconds()).isGreaterThanOrEqualTo(300);

        for (Deployment d : List.of(api, worker)) {
            Container c = only(d);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            // External PostgreSQL and S3 by default; the password from a Secret the operator creates.
            assertThat(env(c, "SPRING_DATASOURCE_URL")).contains("jdbc:postgresql://postgresql:5432/slicefine");
            assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("SPRING_DATASOURCE_PASSWORD")).singleElement()
                    .satisfies(e -> {
                        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(PREFIX + "-database");
                        assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
                    });
            assertThat(env(c, "SLICEFINE_STORAGE_TYPE")).contains("s3");
            assertThat(env(c, "SLICEFINE_STORAGE_S3_BUCKET")).contains("slicefine");
            assertThat(env(c, "SLICEFINE_STORAGE_S3_ENDPOINT")).isEmpty();
            // No static keys: the SDK's default chain (IRSA, instance profile).
            assertThat(c.getEnv()).noneMatch(e -> e.getName().startsWith("AWS_"));
            // Non-root, read-only root filesystem, writable scratch.
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(mount(c, "scratch").getMountPath()).isEqualTo("/data");
            assertThat(mount(c, "tmp").getMountPath()).isEqualTo("/tmp");
            assertThat(env(c, "SLICEFINE_DATADIR")).contains("/data");
            assertThat(pod.getServiceAccountName()).isEqualTo(PREFIX);
            // The selector selects the pod template.
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/secrets");
        }
        assertThat(api.getSpec().getSelector().getMatchLabels())
                .isNotEqualTo(worker.getSpec().getSelector().getMatchLabels());

        Service svc = r.one(Service.class, PREFIX + "-api");
        assertThat(svc.getSpec().getSelector()).isEqualTo(api.getSpec().getSelector().getMatchLabels());
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(80);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
        });

        PodDisruptionBudget apiPdb = r.one(PodDisruptionBudget.class, PREFIX + "-api");
        assertThat(apiPdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(apiPdb.getSpec().getSelector().getMatchLabels()).isEqualTo(api.getSpec().getSelector().getMatchLabels());
        PodDisruptionBudget workerPdb = r.one(PodDisruptionBudget.class, PREFIX + "-worker");
        assertThat(workerPdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(workerPdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(worker.getSpec().getSelector().getMatchLabels());
        assertThat(r.one(ServiceAccount.class, PREFIX).getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void gpuWorkersGetGpusNodeSelectionRuntimeClassAndShm() {
        Rendered r = render("gpu-workers.yaml", t -> t);
        Deployment worker = r.deployment(PREFIX + "-worker");
        assertThat(worker.getSpec().getReplicas()).isEqualTo(4);
        PodSpec pod = worker.getSpec().getTemplate().getSpec();
        assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(600L);
        Container c = only(worker);
        assertThat(c.getImage()).isEqualTo("slicefine/worker-gpu:0.1.0");
        assertThat(env(c, "SLICEFINE_WORKER_DEVICE")).contains("cuda:0");
        assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"))
                .containsEntry("memory", new Quantity("48Gi"));
        assertThat(c.getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"))
                .containsEntry("cpu", new Quantity("4"));
        assertThat(volume(pod, "shm").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("16Gi"));
        // The api stays on CPU nodes.
        PodSpec apiPod = r.deployment(PREFIX + "-api").getSpec().getTemplate().getSpec();
        assertThat(apiPod.getRuntimeClassName()).isNull();
        assertThat(apiPod.getTolerations()).isNullOrEmpty();
        assertThat(only(r.deployment(PREFIX + "-api")).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    }

    @Test
    void externalDatabaseAndS3WithStaticKeysAndIngress() {
        Rendered r = render("external-db-s3.yaml", t -> t);
        assertThat(r.kinds()).contains("Ingress").filteredOn("Secret"::equals).hasSize(3);

        Secret db = r.one(Secret.class, PREFIX + "-database");
        assertThat(db.getStringData()).containsExactly(Map.entry("password", "change-me"));
        Secret s3 = r.one(Secret.class, PREFIX + "-s3");
        assertThat(s3.getStringData()).containsOnly(Map.entry("access-key-id", "AKIAEXAMPLE"),
                Map.entry("secret-access-key", "secret-example"));
        Secret admin = r.one(Secret.class, PREFIX + "-admin");
        assertThat(admin.getStringData()).containsExactly(Map.entry("admin-key", "sk-example-admin-key-0123456789"));

        for (String name : List.of(PREFIX + "-api", PREFIX + "-worker")) {
            Container c = only(r.deployment(name));
            assertThat(env(c, "SPRING_DATASOURCE_URL"))
                    .contains("jdbc:postgresql://db.example.internal:6432/slicefine_prod?sslmode=require");
            assertThat(env(c, "SPRING_DATASOURCE_USERNAME")).contains("slicefine_app");
            assertThat(env(c, "SLICEFINE_STORAGE_S3_ENDPOINT")).contains("https://minio.example.internal:9000");
            assertThat(env(c, "SLICEFINE_STORAGE_S3_REGION")).contains("eu-central-1");
            assertThat(env(c, "SLICEFINE_STORAGE_S3_BUCKET")).contains("slicefine-blobs");
            assertThat(env(c, "SLICEFINE_STORAGE_S3_PATHSTYLE")).contains("true");
            assertThat(secretRef(c, "AWS_ACCESS_KEY_ID")).isEqualTo(PREFIX + "-s3/access-key-id");
            assertThat(secretRef(c, "AWS_SECRET_ACCESS_KEY")).isEqualTo(PREFIX + "-s3/secret-access-key");
            assertThat(secretRef(c, "SPRING_DATASOURCE_PASSWORD")).isEqualTo(PREFIX + "-database/password");
        }
        assertThat(secretRef(only(r.deployment(PREFIX + "-api")), "SLICEFINE_ADMIN_KEY")).isEqualTo(PREFIX + "-admin/admin-key");
        assertThat(only(r.deployment(PREFIX + "-worker")).getEnv()).noneMatch(e -> e.getName().equals("SLICEFINE_ADMIN_KEY"));

        Ingress ingress = r.one(Ingress.class, PREFIX + "-api");
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "0");
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(t -> assertThat(t.getSecretName()).isEqualTo("slicefine-tls"));
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("slicefine.example.com");
            var backend = rule.getHttp().getPaths().get(0).getBackend().getService();
            assertThat(backend.getName()).isEqualTo(PREFIX + "-api");
            assertThat(backend.getPort().getName()).isEqualTo("http");
        });

        // A changed secret rolls the pods.
        String before = r.deployment(PREFIX + "-api").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/secrets");
        Rendered changed = render("external-db-s3.yaml", t -> t.set("database.password", "another"));
        assertThat(changed.deployment(PREFIX + "-api").getSpec().getTemplate().getMetadata().getAnnotations()
                .get("checksum/secrets")).isNotEqualTo(before);
    }

    @Test
    void autoscalingScalesWorkersOnQueuedJobsThroughKeda() {
        Rendered r = render("autoscaling.yaml", t -> t);
        assertThat(r.kinds()).contains("ScaledObject", "ServiceMonitor").doesNotContain("Secret");

        Deployment worker = r.deployment(PREFIX + "-worker");
        // KEDA owns the replica count.
        assertThat(worker.getSpec().getReplicas()).isNull();
        StrictManifests.ScaledObject so = r.one(StrictManifests.ScaledObject.class, PREFIX + "-worker");
        assertThat(so.spec().scaleTargetRef().name()).isEqualTo(worker.getMetadata().getName());
        assertThat(so.spec().minReplicaCount()).isZero();
        assertThat(so.spec().maxReplicaCount()).isEqualTo(16);
        assertThat(so.spec().triggers()).singleElement().satisfies(t -> {
            assertThat(t.type()).isEqualTo("prometheus");
            assertThat(t.metadata().get("query")).contains("slicefine_jobs_queued").contains("slicefine_jobs_running")
                    .contains("namespace=\"jobs\"");
            assertThat(t.metadata().get("threshold")).isEqualTo("1");
            assertThat(t.metadata().get("serverAddress")).startsWith("http://");
        });

        StrictManifests.ServiceMonitor sm = r.one(StrictManifests.ServiceMonitor.class, PREFIX + "-api");
        assertThat(sm.metadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        Service svc = r.one(Service.class, PREFIX + "-api");
        assertThat(svc.getMetadata().getLabels()).containsAllEntriesOf(sm.spec().selector().matchLabels());
        assertThat(sm.spec().endpoints()).singleElement().satisfies(e -> {
            assertThat(e.port()).isEqualTo(svc.getSpec().getPorts().get(0).getName());
            assertThat(e.path()).isEqualTo("/actuator/prometheus");
        });

        // Credentials from Secrets made outside the chart.
        Container c = only(worker);
        assertThat(secretRef(c, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("slicefine-db/pg-password");
        assertThat(secretRef(c, "AWS_ACCESS_KEY_ID")).isEqualTo("slicefine-s3/access-key-id");
        assertThat(env(c, "SPRING_DATASOURCE_URL")).contains("jdbc:postgresql://pg.databases.svc:5432/slicefine");
    }

    @Test
    void inChartPostgresqlAndSharedVolumeStorage() {
        Rendered r = render("in-chart-postgresql.yaml", t -> t);
        StrictManifests.CnpgCluster pg = r.one(StrictManifests.CnpgCluster.class, PREFIX + "-pg");
        assertThat(pg.spec().instances()).isEqualTo(3);
        assertThat(pg.spec().bootstrap().initdb().database()).isEqualTo("slicefine");
        assertThat(pg.spec().bootstrap().initdb().owner()).isEqualTo("slicefine");
        assertThat(pg.spec().storage().size()).isEqualTo("50Gi");
        assertThat(r.kinds()).doesNotContain("Secret");
        for (String name : List.of(PREFIX + "-api", PREFIX + "-worker")) {
            Deployment d = r.deployment(name);
            Container c = only(d);
            // CloudNativePG's read-write Service and generated app Secret.
            assertThat(env(c, "SPRING_DATASOURCE_URL")).contains("jdbc:postgresql://" + PREFIX + "-pg-rw:5432/slicefine");
            assertThat(secretRef(c, "SPRING_DATASOURCE_PASSWORD")).isEqualTo(PREFIX + "-pg-app/password");
            assertThat(env(c, "SLICEFINE_STORAGE_TYPE")).contains("filesystem");
            assertThat(c.getEnv()).noneMatch(e -> e.getName().startsWith("SLICEFINE_STORAGE_S3_"));
            assertThat(mount(c, "blobs").getMountPath()).isEqualTo("/data/blobs");
            assertThat(volume(d.getSpec().getTemplate().getSpec(), "blobs").getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("slicefine-blobs");
        }
    }

    @Test
    void badValuesFailWithTheirReason() {
        assertThatThrownBy(() -> render(null, t -> t.set("storage.type", "ftp")))
                .hasMessageContaining("storage.type must be s3 or filesystem");
        assertThatThrownBy(() -> render(null, t -> t.set("storage.type", "filesystem")))
                .hasMessageContaining("storage.filesystem.existingClaim");
        assertThatThrownBy(() -> render(null, t -> t.set("storage.s3.accessKeyId", "AK")))
                .hasMessageContaining("storage.s3.secretAccessKey is required");
        assertThatThrownBy(() -> render(null, t -> t.withKubeVersion("1.24.0")))
                .hasMessageContaining("chart requires kubeVersion");
    }

    // --- helpers ---

    record Rendered(List<Object> objects) {
        List<String> kinds() {
            return objects.stream().map(o -> o instanceof io.fabric8.kubernetes.api.model.HasMetadata h ? h.getKind()
                    : o.getClass().getSimpleName()).toList();
        }

        <T> T one(Class<T> type, String name) {
            List<T> found = objects.stream().filter(type::isInstance).map(type::cast)
                    .filter(o -> name.equals(StrictManifests.metadata(o).getName())).toList();
            assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
            return found.get(0);
        }

        Deployment deployment(String name) {
            return one(Deployment.class, name);
        }
    }

    private static Rendered render(String valuesFile, UnaryOperator<TemplateCommand> extra) {
        assertThat(Files.isDirectory(CHART)).as("chart at %s", CHART).isTrue();
        TemplateCommand cmd = new Helm(CHART).template().withName(RELEASE).withNamespace("jobs")
                .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            cmd = cmd.withValuesFile(CHART.resolve("ci").resolve(valuesFile));
        }
        String out = extra.apply(cmd).call();
        List<Object> objects = StrictManifests.parse(out);
        for (Object o : objects) {
            assertThat(StrictManifests.metadata(o).getLabels())
                    .containsEntry("app.kubernetes.io/instance", RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm");
        }
        return new Rendered(objects);
    }

    private static Container only(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Optional<String> env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst();
    }

    private static String secretRef(Container c, String name) {
        EnvVar e = c.getEnv().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
        var ref = e.getValueFrom().getSecretKeyRef();
        return ref.getName() + "/" + ref.getKey();
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static VolumeMount mount(Container c, String name) {
        return c.getVolumeMounts().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume mount " + name));
    }
}
