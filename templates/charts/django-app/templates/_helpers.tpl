{{/*
django-app.name: the chart name, or nameOverride. Cut to 63 characters,
the limit of a label value and a DNS name.
*/}}
{{- define "django-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
django-app.fullname: the name of every resource of the release. It is the
release name alone when that already contains the chart name, so a release
called django-app makes a Service called django-app (the address the
monitoring chart and the reference design expect).
*/}}
{{- define "django-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
django-app.chart: chart name and version, for the helm.sh/chart label.
*/}}
{{- define "django-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
django-app.selectorLabels: the labels a Deployment selects its pods by.
They never change after the first install: a selector is immutable.
*/}}
{{- define "django-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "django-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
django-app.labels: the recommended labels of every resource.
*/}}
{{- define "django-app.labels" -}}
helm.sh/chart: {{ include "django-app.chart" . }}
{{ include "django-app.selectorLabels" . }}
app.kubernetes.io/version: {{ include "django-app.imageTag" . | quote }}
app.kubernetes.io/component: web
app.kubernetes.io/part-of: haven
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.environmentName }}
haven/environment: {{ . | quote }}
{{- end }}
{{- end }}

{{/*
django-app.imageTag: image.tag, or the chart's appVersion when empty.
*/}}
{{- define "django-app.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/*
django-app.serviceAccountName: the ServiceAccount the pods run as.
*/}}
{{- define "django-app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "django-app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
django-app.djangoSecretName: the Secret holding DJANGO_SECRET_KEY.
*/}}
{{- define "django-app.djangoSecretName" -}}
{{- default (printf "%s-django" (include "django-app.fullname" .)) .Values.django.existingSecret }}
{{- end }}

{{/*
django-app.databaseEnv: the DATABASE_* variables, each read from the
database Secret so that no connection setting is written into the pod spec.
*/}}
{{- define "django-app.databaseEnv" -}}
{{- $secret := .Values.database.existingSecret }}
{{- $keys := .Values.database.secretKeys }}
{{- range $variable, $key := dict "DATABASE_HOST" $keys.host "DATABASE_PORT" $keys.port "DATABASE_NAME" $keys.name "DATABASE_USER" $keys.username "DATABASE_PASSWORD" $keys.password }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
{{- end }}
{{- end }}
