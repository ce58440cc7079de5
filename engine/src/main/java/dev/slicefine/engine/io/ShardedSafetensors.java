package dev.slicefine.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A checkpoint split over several safetensors files by a {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {tensor: shard file}}}). Every shard is opened (header only) and
 * cross-checked against the index up front, so a broken download fails at open, not halfway through loading.
 */
public final class ShardedSafetensors implements TensorSource {

    private final Path index;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> shardOf;
    private final List<String> names;

    private ShardedSafetensors(Path index, List<SafetensorsFile> shards, Map<String, SafetensorsFile> shardOf) {
        this.index = index;
        this.shards = List.copyOf(shards);
        this.shardOf = shardOf;
        this.names = List.copyOf(shardOf.keySet());
    }

    /**
     * Opens every shard the index names and checks that each exists, holds the tensors the index assigns to it, and
     * shares no tensor name with another shard. Tensors a shard holds but the index does not list are ignored.
     *
     * @throws CheckpointException naming the index, the shard and the tensor concerned
     */
    public static ShardedSafetensors open(Path indexJson) {
        Map<String, String> weightMap = readWeightMap(indexJson);
        Path directory = indexJson.toAbsolutePath().normalize().getParent();
        Map<String, SafetensorsFile> byShardName = new LinkedHashMap<>();
        try {
            for (String shardName : new TreeSet<>(weightMap.values())) {
                byShardName.put(shardName, openShard(indexJson, directory, shardName));
            }
            Map<String, SafetensorsFile> shardOf = new TreeMap<>();
            for (Map.Entry<String, String> entry : weightMap.entrySet()) {
                SafetensorsFile shard = byShardName.get(entry.getValue());
                if (!shard.contains(entry.getKey())) {
                    throw new CheckpointException("Sharded checkpoint " + indexJson + " maps tensor '" + entry.getKey()
                            + "' to shard " + entry.getValue() + ", which does not contain it.");
                }
                shardOf.put(entry.getKey(), shard);
            }
            checkNoTensorInTwoShards(indexJson, byShardName);
            return new ShardedSafetensors(indexJson, new ArrayList<>(byShardName.values()), shardOf);
        } catch (RuntimeException e) {
            byShardName.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The index file this was opened from. */
    public Path index() {
        return index;
    }

    /** The shard files, sorted by name. */
    public List<Path> shardFiles() {
        return shards.stream().map(SafetensorsFile::file).toList();
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return shardOf.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public NDArray load(String name, NDManager manager) {
        return shard(name).load(name, manager);
    }

    @Override
    public ByteBuffer raw(String name) {
        return shard(name).raw(name);
    }

    @Override
    public Path fileOf(String name) {
        return shard(name).file();
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile shard = shardOf.get(name);
        if (shard == null) {
            throw new CheckpointException("Sharded checkpoint " + index + " has no tensor '" + name + "'.");
        }
        return shard;
    }

    private static Map<String, String> readWeightMap(Path indexJson) {
        JsonNode root;
        try {
            root = SafetensorsHeader.JSON.readTree(Files.readAllBytes(indexJson));
        } catch (NoSuchFileException e) {
            throw new CheckpointException("Sharded checkpoint index " + indexJson + " does not exist.", e);
        } catch (JsonProcessingException e) {
            throw new CheckpointException("Sharded checkpoint index " + indexJson + " is not valid JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ").", e);
        } catch (IOException e) {
            throw new CheckpointException("Cannot read sharded checkpoint index " + indexJson + ": "
                    + SafetensorsFile.describe(e) + ".", e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new CheckpointException("Sharded checkpoint index " + indexJson
                    + " has no \"weight_map\" object mapping tensor names to shard files.");
        }
        Map<String, String> map = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw new CheckpointException("Sharded checkpoint index " + indexJson + " maps tensor '"
                        + entry.getKey() + "' to " + entry.getValue() + ", which is not a file name.");
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        }
        if (map.isEmpty()) {
            throw new CheckpointException("Sharded checkpoint index " + indexJson + " has an empty weight_map.");
        }
        return map;
    }

    private static SafetensorsFile openShard(Path indexJson, Path directory, String shardName) {
        Path shard = directory.resolve(shardName).normalize();
        // A shard is a file next to the index; "../" or an absolute path would read files the upload never held.
        if (shardName.isEmpty() || !directory.equals(shard.getParent()) || !shardName.endsWith(".safetensors")) {
            throw new CheckpointException("Sharded checkpoint index " + indexJson + " names shard '" + shardName
                    + "', which is not a file name in the index's folder or not a .safetensors file.");
        }
        if (!Files.isRegularFile(shard)) {
            throw new CheckpointException("Sharded checkpoint " + indexJson + " is missing shard " + shardName
                    + " (expected at " + shard + ").");
        }
        return SafetensorsFile.open(shard);
    }

    private static void checkNoTensorInTwoShards(Path indexJson, Map<String, SafetensorsFile> byShardName) {
        Map<String, String> firstShard = new TreeMap<>();
        for (Map.Entry<String, SafetensorsFile> shard : byShardName.entrySet()) {
            for (String name : shard.getValue().names()) {
                String other = firstShard.putIfAbsent(name, shard.getKey());
                if (other != null) {
                    throw new CheckpointException("Sharded checkpoint " + indexJson + " has tensor '" + name
                            + "' in two shards, " + other + " and " + shard.getKey() + ".");
                }
            }
        }
    }
}
