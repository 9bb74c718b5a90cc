package dev.flashline.io;

import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.LabelledRecord;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;

/** Writes Avro records as Snappy-compressed Parquet files {@code prefix-SSSSS-of-NNNNN.parquet}. */
public final class WriteResults<T extends SpecificRecord> extends PTransform<PCollection<T>, WriteFilesResult<Void>> {
  private final String directory;
  private final String prefix;
  private final String schemaJson;
  private final int shards;

  private WriteResults(String directory, String prefix, Schema schema, int shards) {
    this.directory = directory;
    this.prefix = prefix;
    this.schemaJson = schema.toString();
    this.shards = shards;
  }

  public static WriteResults<LabelledRecord> labels(String directory, int shards) {
    return new WriteResults<>(directory, OutputLayout.LABELS_PREFIX, LabelledRecord.getClassSchema(), shards);
  }

  public static WriteResults<DeadLetter> deadLetters(String directory) {
    return new WriteResults<>(directory, OutputLayout.DEAD_LETTERS_PREFIX, DeadLetter.getClassSchema(), 1);
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<T> records) {
    Schema schema = new Schema.Parser().parse(schemaJson);
    return records.apply(
        "WriteParquet",
        FileIO.<T>write()
            .via(
                Contextful.fn(record -> (GenericRecord) record),
                ParquetIO.sink(schema).withAvroDataModel(SpecificData.get()))
            .to(directory)
            .withPrefix(prefix)
            .withSuffix(".parquet")
            .withNumShards(shards));
  }
}
