package dev.flashline.beam;

import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Keys each request by its task's prompt prefix and a shard of its document's text: requests that
 * share a prefix are batched together, the shards keep every worker busy when a job has fewer
 * prefixes than workers, and identical documents land in the same shard, where they are asked once.
 */
final class KeyByPrefixFn extends DoFn<KV<String, KV<Document, LabelledRecord>>, KV<String, KV<String, KV<Document, LabelledRecord>>>> {
  private final TreeMap<String, String> prefixKeys;
  private final int shards;

  KeyByPrefixFn(Map<String, String> prefixKeys, int shards) {
    this.prefixKeys = new TreeMap<>(prefixKeys);
    this.shards = Math.max(1, shards);
  }

  @ProcessElement
  public void process(@Element KV<String, KV<Document, LabelledRecord>> request, OutputReceiver<KV<String, KV<String, KV<Document, LabelledRecord>>>> out) {
    String prefix = prefixKeys.get(request.getKey());
    if (prefix == null) {
      throw new IllegalStateException("no endpoint task named '" + request.getKey() + "'");
    }
    int shard = Math.floorMod(request.getValue().getKey().getText().hashCode(), shards);
    out.output(KV.of(prefix + "#" + shard, request));
  }
}
