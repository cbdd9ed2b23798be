package com.abiquo.aim.server;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Frame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2PingFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2SettingsFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare HTTP/2 connection (plaintext, prior knowledge) to AIM's port, for what a gRPC client never lets a test do
 * or see: ping as often as it likes, and read the server's SETTINGS and GOAWAY frames as they come.
 */
final class RawHttp2Client implements AutoCloseable {
    /** A GOAWAY as received: HTTP/2 error code and the debug text gRPC puts in it ("too_many_pings"). */
    record GoAway(long errorCode, String debugData) {
    }

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final CompletableFuture<Http2SettingsFrame> settings = new CompletableFuture<>();
    private final CompletableFuture<GoAway> goAway = new CompletableFuture<>();
    /** What the server answered, in order: a ping's payload (its acknowledgement) or the GOAWAY. */
    private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final Channel channel;

    RawHttp2Client(int port) throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel socket) {
                        socket.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new SimpleChannelInboundHandler<Http2Frame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext context, Http2Frame frame) {
                                        received(frame);
                                    }
                                });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    private void received(Http2Frame frame) {
        if (frame instanceof Http2SettingsFrame serverSettings) {
            settings.complete(serverSettings);
        } else if (frame instanceof Http2PingFrame ping && ping.ack()) {
            answers.add(ping.content());
        } else if (frame instanceof Http2GoAwayFrame away) {
            GoAway received = new GoAway(away.errorCode(), away.content().toString(StandardCharsets.UTF_8));
            goAway.complete(received);
            answers.add(received);
        }
    }

    /** The server's first SETTINGS frame. */
    Http2SettingsFrame settings() throws Exception {
        return settings.get(10, TimeUnit.SECONDS);
    }

    /** Sends a PING and waits for the server's acknowledgement. */
    void pingAndAwaitAck(long payload) throws Exception {
        ping(payload);
        Object answer = answers.poll(10, TimeUnit.SECONDS);
        if (!Long.valueOf(payload).equals(answer)) {
            throw new AssertionError("no acknowledgement of ping " + payload + " (got " + answer + ")");
        }
    }

    /**
     * Pings as fast as the server answers, each ping once the one before is acknowledged, until the server sends
     * GOAWAY or {@code most} pings were sent; returns how many pings it acknowledged before the GOAWAY (the one it
     * refuses is among them: a server acknowledges a ping before it acts on it). Pinging without waiting would race
     * the server's close: a ping still unread in the server's socket when it closes makes its kernel reset the
     * connection and throw away a GOAWAY not yet on the wire.
     */
    int pingUntilGoAway(long firstPayload, int most) throws Exception {
        int acknowledged = 0;
        for (long payload = firstPayload; payload < firstPayload + most; payload++) {
            ping(payload);
            Object answer = answers.poll(10, TimeUnit.SECONDS);
            if (answer instanceof GoAway) {
                break;
            }
            if (!Long.valueOf(payload).equals(answer)) {
                throw new AssertionError("no acknowledgement of ping " + payload + " (got " + answer + ")");
            }
            acknowledged++;
        }
        return acknowledged;
    }

    private void ping(long payload) {
        channel.writeAndFlush(new DefaultHttp2PingFrame(payload));
    }

    /** The GOAWAY the server sends, within the given time. */
    GoAway awaitGoAway(long seconds) throws Exception {
        return goAway.get(seconds, TimeUnit.SECONDS);
    }

    /** Whether a GOAWAY came by now. */
    boolean wentAway() {
        return goAway.isDone();
    }

    /** Waits up to the given time for the server to close the TCP connection. */
    boolean awaitClosed(long seconds) throws InterruptedException {
        return channel.closeFuture().await(seconds, TimeUnit.SECONDS);
    }

    boolean open() {
        return channel.isActive();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().await(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}
