package dev.slicefine.api.uploads;

public enum UploadPurpose {
    model, dataset
}
