package dev.flashline.engine.loader;

import java.util.List;

/**
 * The {@code quantization_config} block of an FP8 checkpoint's config.json, as DeepSeek-V3 and
 * Qwen3-FP8 write it: {@code {"quant_method": "fp8", "fmt": "e4m3", "activation_scheme":
 * "dynamic", "weight_block_size": [128, 128]}}. Only that scheme is accepted, because it is the
 * only one the FP8 kernels here implement; anything else fails at load, not with wrong numbers.
 */
public record QuantizationConfig(String quantMethod, String fmt, String activationScheme, List<Integer> weightBlockSize) {
  public static final QuantizationConfig FP8_BLOCK_128 = new QuantizationConfig("fp8", "e4m3", "dynamic", List.of(128, 128));

  public QuantizationConfig {
    if (!"fp8".equals(quantMethod)) {
      throw new IllegalArgumentException("quantization_config.quant_method '" + quantMethod + "' is not supported (supported: fp8)");
    }
    if (!"e4m3".equals(fmt)) {
      throw new IllegalArgumentException("quantization_config.fmt '" + fmt + "' is not supported (supported: e4m3)");
    }
    weightBlockSize = List.copyOf(weightBlockSize);
    if (!weightBlockSize.equals(List.of(128, 128))) {
      throw new IllegalArgumentException("quantization_config.weight_block_size " + weightBlockSize + " is not supported (supported: [128, 128])");
    }
  }
}
