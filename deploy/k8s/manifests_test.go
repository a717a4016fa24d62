// Package k8s holds no code: its test decodes the manifests strictly into the Kubernetes API
// types, so that a misspelled or misplaced field fails here rather than in a cluster.
package k8s

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// decode reads every document of a manifest file into its API type, refusing unknown fields.
func decode(t *testing.T, file string) []any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var objs []any
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("%s document %d: %v", file, i+1, err)
		}
		var obj any
		switch tm.APIVersion + " " + tm.Kind {
		case "v1 ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1 Secret":
			obj = &corev1.Secret{}
		case "v1 Service":
			obj = &corev1.Service{}
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		default:
			t.Fatalf("%s document %d: kind %q of %q has no decoder here", file, i+1, tm.Kind, tm.APIVersion)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Errorf("%s document %d (%s): %v", file, i+1, tm.Kind, err)
		}
		objs = append(objs, obj)
	}
	return objs
}

func stripComments(doc string) string {
	var b bytes.Buffer
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// The manifests decode strictly; images are versioned and pulled only when missing (so a
// locally loaded image works); keys come from a Secret; workers are probed on their listener.
func TestManifests(t *testing.T) {
	objs := decode(t, "orchard.yaml")
	deployments := map[string]*appsv1.Deployment{}
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			deployments[o.Name] = o
		case *corev1.Secret:
			t.Errorf("secret %s is in the manifests; secrets are created apart (kubectl create secret)", o.Name)
		case *corev1.ConfigMap:
			if strings.Contains(o.Data["orchard.yaml"], "key:") || strings.Contains(o.Data["orchard.yaml"], "password:") {
				t.Errorf("config map %s holds a key or password", o.Name)
			}
		}
	}
	if len(deployments) != 2 {
		t.Fatalf("deployments %v, want orchard-api and orchard-worker", deployments)
	}
	for name, d := range deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			if c.ImagePullPolicy != corev1.PullIfNotPresent {
				t.Errorf("%s: imagePullPolicy %q, want IfNotPresent", name, c.ImagePullPolicy)
			}
			if !regexp.MustCompile(`:\d+\.\d+\.\d+$`).MatchString(c.Image) {
				t.Errorf("%s: image %q has no version tag", name, c.Image)
			}
			if len(c.EnvFrom) == 0 || c.EnvFrom[0].SecretRef == nil {
				t.Errorf("%s: secrets do not come from a Secret", name)
			}
			if c.ReadinessProbe == nil || c.LivenessProbe == nil {
				t.Errorf("%s: no readiness or liveness probe", name)
			}
		}
	}
	w := deployments["orchard-worker"].Spec.Template.Spec.Containers[0]
	if w.ReadinessProbe == nil || w.ReadinessProbe.HTTPGet == nil || w.ReadinessProbe.HTTPGet.Path != "/readyz" ||
		w.LivenessProbe == nil || w.LivenessProbe.HTTPGet == nil || w.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Fatalf("worker probes %+v %+v, want /readyz and /healthz", w.ReadinessProbe, w.LivenessProbe)
	}
	if len(w.Ports) != 1 || w.ReadinessProbe.HTTPGet.Port.StrVal != w.Ports[0].Name || w.Ports[0].ContainerPort != 9090 {
		t.Errorf("worker probes port %v, container ports %v", w.ReadinessProbe.HTTPGet.Port, w.Ports)
	}
	if api := deployments["orchard-api"].Spec.Template.Spec.Containers[0]; !strings.Contains(strings.Join(api.Args, " "), "serve --workers=0") {
		t.Errorf("api args %v, want serve --workers=0", api.Args)
	}
}

// A misspelled field fails the decoding: the check above cannot pass vacuously.
func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	bad := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replica: 2}\n"
	if err := yaml.UnmarshalStrict([]byte(bad), &appsv1.Deployment{}); err == nil {
		t.Error("a Deployment with spec.replica decoded")
	}
}
