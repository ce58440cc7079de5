{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "slicefine.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "slicefine.fullname" -}}
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

{{- define "slicefine.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "slicefine.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component (api | worker): include with (dict "ctx" $ "component" "api"). */}}
{{- define "slicefine.selectorLabels" -}}
app.kubernetes.io/name: {{ include "slicefine.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "slicefine.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "slicefine.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* image reference: include with (dict "ctx" $ "image" .Values.image.api). */}}
{{- define "slicefine.image" -}}
{{- $repo := .image.repository }}
{{- if .ctx.Values.image.registry }}
{{- $repo = printf "%s/%s" .ctx.Values.image.registry .image.repository }}
{{- end }}
{{- printf "%s:%s" $repo (default .ctx.Chart.AppVersion .image.tag) }}
{{- end }}

{{/* The database Secret's name and key holding the password. */}}
{{- define "slicefine.databaseSecretName" -}}
{{- if .Values.postgresql.enabled }}
{{- printf "%s-pg-app" (include "slicefine.fullname" .) }}
{{- else if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "slicefine.fullname" .) }}
{{- end }}
{{- end }}

{{- define "slicefine.databaseSecretKey" -}}
{{- if .Values.postgresql.enabled }}password{{- else if .Values.database.existingSecret }}{{ .Values.database.existingSecretPasswordKey }}{{- else }}password{{- end }}
{{- end }}

{{- define "slicefine.jdbcUrl" -}}
{{- if .Values.postgresql.enabled }}
{{- printf "jdbc:postgresql://%s-pg-rw:5432/%s" (include "slicefine.fullname" .) .Values.database.name }}
{{- else }}
{{- $url := printf "jdbc:postgresql://%s:%v/%s" .Values.database.host .Values.database.port .Values.database.name }}
{{- if .Values.database.parameters }}{{ $url = printf "%s?%s" $url .Values.database.parameters }}{{ end }}
{{- $url }}
{{- end }}
{{- end }}

{{- define "slicefine.s3SecretName" -}}
{{- default (printf "%s-s3" (include "slicefine.fullname" .)) .Values.storage.s3.existingSecret }}
{{- end }}

{{- define "slicefine.s3StaticCredentials" -}}
{{- if or .Values.storage.s3.existingSecret .Values.storage.s3.accessKeyId }}true{{ end }}
{{- end }}

{{- define "slicefine.adminSecretName" -}}
{{- default (printf "%s-admin" (include "slicefine.fullname" .)) .Values.adminKey.existingSecret }}
{{- end }}

{{/* Environment shared by the api and the workers: database, storage. */}}
{{- define "slicefine.commonEnv" -}}
- name: SPRING_DATASOURCE_URL
  value: {{ include "slicefine.jdbcUrl" . | quote }}
- name: SPRING_DATASOURCE_USERNAME
  value: {{ .Values.database.user | quote }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "slicefine.databaseSecretName" . }}
      key: {{ include "slicefine.databaseSecretKey" . }}
- name: SLICEFINE_DATADIR
  value: /data
- name: DJL_CACHE_DIR
  value: /data/djl
- name: SLICEFINE_STORAGE_TYPE
  value: {{ .Values.storage.type | quote }}
{{- if eq .Values.storage.type "s3" }}
- name: SLICEFINE_STORAGE_S3_BUCKET
  value: {{ required "storage.s3.bucket is required with storage.type=s3" .Values.storage.s3.bucket | quote }}
- name: SLICEFINE_STORAGE_S3_REGION
  value: {{ .Values.storage.s3.region | quote }}
{{- if .Values.storage.s3.endpoint }}
- name: SLICEFINE_STORAGE_S3_ENDPOINT
  value: {{ .Values.storage.s3.endpoint | quote }}
{{- end }}
- name: SLICEFINE_STORAGE_S3_PATHSTYLE
  value: {{ .Values.storage.s3.pathStyle | quote }}
{{- if include "slicefine.s3StaticCredentials" . }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "slicefine.s3SecretName" . }}
      key: {{ .Values.storage.s3.existingSecretAccessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "slicefine.s3SecretName" . }}
      key: {{ .Values.storage.s3.existingSecretSecretAccessKeyKey }}
{{- end }}
{{- end }}
{{- end }}

{{/* Volumes shared by both pods: scratch (data dir), /tmp and, with filesystem storage, the shared blob claim. */}}
{{- define "slicefine.commonVolumeMounts" -}}
- name: scratch
  mountPath: /data
- name: tmp
  mountPath: /tmp
{{- if eq .Values.storage.type "filesystem" }}
- name: blobs
  mountPath: /data/blobs
{{- end }}
{{- end }}

{{- define "slicefine.blobVolume" -}}
{{- if eq .Values.storage.type "filesystem" }}
- name: blobs
  persistentVolumeClaim:
    claimName: {{ required "storage.filesystem.existingClaim (a ReadWriteMany claim) is required with storage.type=filesystem" .Values.storage.filesystem.existingClaim }}
{{- end }}
{{- end }}
