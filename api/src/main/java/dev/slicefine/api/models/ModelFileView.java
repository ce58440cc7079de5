package dev.slicefine.api.models;

public record ModelFileView(String path, long size, String sha256) {}
