{{/*
monitoring.name: the chart name, or nameOverride, cut to the 63 characters
of a label value.
*/}}
{{- define "monitoring.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
monitoring.fullname: the prefix of every resource name: the release name
alone when it already contains the chart name (a release called monitoring
makes monitoring-prometheus and monitoring-grafana).
*/}}
{{- define "monitoring.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
monitoring.prometheus.fullname: name of the Prometheus resources. The
prefix is cut to 50 characters so that the suffix always fits in 63.
*/}}
{{- define "monitoring.prometheus.fullname" -}}
{{- printf "%s-prometheus" (include "monitoring.fullname" .) }}
{{- end }}

{{/*
monitoring.grafana.fullname: name of the Grafana resources.
*/}}
{{- define "monitoring.grafana.fullname" -}}
{{- printf "%s-grafana" (include "monitoring.fullname" .) }}
{{- end }}

{{/*
monitoring.grafana.secretName: the Secret holding the Grafana
administrator's name and password.
*/}}
{{- define "monitoring.grafana.secretName" -}}
{{- default (include "monitoring.grafana.fullname" .) .Values.grafana.existingSecret }}
{{- end }}

{{/*
monitoring.labels: the recommended labels of every resource. Pass a dict
with the root context as "root" and the component (prometheus, grafana) as
"component".
*/}}
{{- define "monitoring.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "monitoring.selectorLabels" . }}
app.kubernetes.io/part-of: haven
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.environmentName }}
haven/environment: {{ . | quote }}
{{- end }}
{{- end }}

{{/*
monitoring.selectorLabels: the labels a Deployment and a Service select the
pods of one component by. Same arguments as monitoring.labels.
*/}}
{{- define "monitoring.selectorLabels" -}}
app.kubernetes.io/name: {{ include "monitoring.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
monitoring.podSecurityContext: the pod security context of both servers,
for the user id each image runs as. Pass the user id.
*/}}
{{- define "monitoring.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
monitoring.containerSecurityContext: no privilege escalation and no Linux
capabilities, for every container of the chart.
*/}}
{{- define "monitoring.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
{{- end }}
