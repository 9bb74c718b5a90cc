package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.parquet.io.SeekableInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelInputFileTest {

  @TempDir Path dir;

  @Test
  void lengthSeekAndReadsFollowTheChannel() throws IOException {
    Path file = Files.writeString(dir.resolve("f.bin"), "0123456789abcdef");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ChannelInputFile input = new ChannelInputFile(channel);
      assertThat(input.getLength()).isEqualTo(16);
      SeekableInputStream in = input.newStream();
      in.seek(10);
      assertThat(in.getPos()).isEqualTo(10);
      assertThat((char) in.read()).isEqualTo('a');
      byte[] bytes = new byte[3];
      in.readFully(bytes);
      assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo("bcd");
      assertThat(in.getPos()).isEqualTo(14);
      in.seek(2);
      ByteBuffer heap = ByteBuffer.allocate(4);
      in.readFully(heap);
      assertThat(new String(heap.array(), StandardCharsets.US_ASCII)).isEqualTo("2345");
      in.seek(6);
      ByteBuffer direct = ByteBuffer.allocateDirect(2);
      assertThat(in.read(direct)).isEqualTo(2);
      direct.flip();
      assertThat((char) direct.get()).isEqualTo('6');
      assertThat((char) direct.get()).isEqualTo('7');
      in.close();
      assertThat(channel.isOpen()).as("the stream must not close the caller's channel").isTrue();
    }
  }
}
