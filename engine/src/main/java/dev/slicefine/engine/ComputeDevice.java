package dev.slicefine.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDManager;
import java.util.Locale;

/**
 * Where a run computes: {@code auto} (the first CUDA GPU when this process's libtorch has CUDA and sees a GPU, else
 * the CPU), {@code cpu}, or {@code cuda:N}. {@link #parse} checks the spelling only; {@link #resolve} asks libtorch
 * and answers a concrete device (cpu or cuda:N), refusing a GPU that is not there. The only place the device setting
 * is read, for the launcher, the worker and the api alike.
 */
public record ComputeDevice(Kind kind, int index) {
    public enum Kind { AUTO, CPU, CUDA }

    public static final ComputeDevice AUTO = new ComputeDevice(Kind.AUTO, -1);
    public static final ComputeDevice CPU = new ComputeDevice(Kind.CPU, -1);

    public ComputeDevice {
        if (kind == Kind.CUDA ? index < 0 : index != -1) {
            throw new IllegalArgumentException("a device index goes with cuda only, and cuda needs one: " + kind + " " + index);
        }
    }

    public static ComputeDevice cuda(int index) {
        return new ComputeDevice(Kind.CUDA, index);
    }

    /** {@code auto}, {@code cpu} or {@code cuda:N} (N >= 0; {@code cuda} alone is {@code cuda:0}), any case. */
    public static ComputeDevice parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "cuda":
                return cuda(0);
            default:
                if (t.startsWith("cuda:") && t.length() > 5 && t.length() <= 8 && t.substring(5).chars().allMatch(Character::isDigit)) {
                    return cuda(Integer.parseInt(t.substring(5)));
                }
                throw new IllegalArgumentException("device '" + text + "' is not one of auto, cpu, cuda:N (N = 0, 1, ...)");
        }
    }

    /** The same as {@link #parse}: lets Spring bind a {@code ComputeDevice} property from its text. */
    public static ComputeDevice valueOf(String text) {
        return parse(text);
    }

    /**
     * The concrete device of this setting on this machine: auto becomes cuda:0 or cpu; cuda:N is checked against the
     * GPUs libtorch sees. Loads the engine (and its native library) unless this is cpu.
     */
    public ComputeDevice resolve() {
        if (kind == Kind.CPU) {
            return this;
        }
        int gpus = cudaGpus();
        if (kind == Kind.AUTO) {
            return gpus > 0 ? cuda(0) : CPU;
        }
        if (index >= gpus) {
            throw new IllegalArgumentException("device " + this + " is not available: "
                    + (gpus == 0 ? "this process's libtorch (" + flavour() + ") sees no CUDA GPU"
                    : "libtorch sees " + gpus + " CUDA GPU(s), cuda:0 to cuda:" + (gpus - 1))
                    + "; use auto or cpu");
        }
        return this;
    }

    /** DJL's device for a resolved setting. */
    public Device djl() {
        return switch (kind) {
            case CPU -> Device.cpu();
            case CUDA -> Device.gpu(index);
            case AUTO -> throw new IllegalStateException("resolve() the auto device first");
        };
    }

    /** A base manager on this device (resolved first): the root of a run's native memory. */
    public NDManager newManager() {
        return NDManager.newBaseManager(resolve().djl());
    }

    /** Our name of a DJL device: cpu or cuda:N. */
    public static ComputeDevice of(Device device) {
        return device.isGpu() ? cuda(device.getDeviceId()) : CPU;
    }

    /** auto, cpu or cuda:N, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
        };
    }

    private static int cudaGpus() {
        Engine engine = Engine.getInstance();
        return engine.hasCapability(StandardCapabilities.CUDA) ? engine.getGpuCount() : 0;
    }

    private static String flavour() {
        String v = Engine.getInstance().getVersion();
        return "PyTorch " + v + (Engine.getInstance().hasCapability(StandardCapabilities.CUDA) ? " with CUDA" : ", CPU build");
    }
}
