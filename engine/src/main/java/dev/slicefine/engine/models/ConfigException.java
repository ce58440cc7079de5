package dev.slicefine.engine.models;

/** A config.json that cannot describe a model we can run: the message names the field and what is wrong. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
