package dev.slicefine.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The strict parser refuses what a lenient one would pass silently (it guards every chart test). */
class StrictManifestsTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              replicas: %s
              selector:
                matchLabels: {app: d}
              template:
                metadata:
                  labels: {app: d}
                spec:
                  containers:
                    - name: c
                      image: i
                      %s
            """;

    @Test
    void aValidManifestBindsToItsModelClass() {
        List<Object> objects = StrictManifests.parse(DEPLOYMENT.formatted("2", "imagePullPolicy: Always")
                + "---\n# only a comment\n");
        assertThat(objects).singleElement().isInstanceOfSatisfying(Deployment.class, d -> {
            assertThat(d.getSpec().getReplicas()).isEqualTo(2);
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo("Always");
        });
    }

    @Test
    void anUnknownOrMisplacedFieldFails() {
        // A typo, and a real field at the wrong level: both would be kept in additionalProperties by fabric8.
        assertThatThrownBy(() -> StrictManifests.parse(DEPLOYMENT.formatted("2", "imagePullPolicyy: Always")))
                .hasMessageContaining("unknown to the model").hasMessageContaining("imagePullPolicyy");
        assertThatThrownBy(() -> StrictManifests.parse(DEPLOYMENT.formatted("2", "nodeSelector: {a: b}")))
                .hasMessageContaining("nodeSelector");
    }

    @Test
    void aWrongScalarTypeFails() {
        assertThatThrownBy(() -> StrictManifests.parse(DEPLOYMENT.formatted("\"2\"", "imagePullPolicy: Always")))
                .hasMessageContaining("does not bind to Deployment");
    }

    @Test
    void anUnknownKindOrAnUnknownCustomResourceFieldFails() {
        assertThatThrownBy(() -> StrictManifests.parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"))
                .hasMessageContaining("Unexpected kind v1/ConfigMap");
        assertThatThrownBy(() -> StrictManifests.parse("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: x}
                spec:
                  scaleTargetRef: {name: w}
                  minReplicaCount: 0
                  maxReplicaCount: 2
                  pollingInterval: 15
                  cooldownPeriod: 300
                  triggerz: []
                """)).hasMessageContaining("does not bind to ScaledObject");
    }
}
