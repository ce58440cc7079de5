#!/bin/sh
# Settings from the environment as system properties, which override the (empty) properties file.
set -eu
mkdir -p "$JCLOUDS_FILESYSTEM_BASEDIR"
# shellcheck disable=SC2086
exec java $S3PROXY_JAVA_OPTS -DLOG_LEVEL="$LOG_LEVEL" \
  -Ds3proxy.endpoint="$S3PROXY_ENDPOINT" \
  -Ds3proxy.virtual-host="$S3PROXY_VIRTUALHOST" \
  -Ds3proxy.authorization="$S3PROXY_AUTHORIZATION" \
  -Ds3proxy.identity="$S3PROXY_IDENTITY" \
  -Ds3proxy.credential="$S3PROXY_CREDENTIAL" \
  -Djclouds.provider="$JCLOUDS_PROVIDER" \
  -Djclouds.identity="$JCLOUDS_IDENTITY" \
  -Djclouds.credential="$JCLOUDS_CREDENTIAL" \
  -Djclouds.filesystem.basedir="$JCLOUDS_FILESYSTEM_BASEDIR" \
  -cp '/opt/s3proxy/lib/*' org.gaul.s3proxy.Main --properties /dev/null
