"""confluent-kafka (Debian python3-confluent-kafka, librdkafka) driven by
test/interop/python-clients.test.ts.

usage: confluent_client.py admin BOOTSTRAP TOPIC PARTITIONS
       confluent_client.py roundtrip BOOTSTRAP TOPIC COMPRESSION IDEMPOTENT(0|1) < messages.json

Prints one JSON document on stdout; the TypeScript test makes every assertion. Messages are
[{"key": hex|null, "value": hex|null, "partition": int|null}, ...].
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

TIMEOUT_S = 30


def unhex(value):
    return None if value is None else bytes.fromhex(value)


def tohex(value):
    return None if value is None else value.hex()


def outcome(future):
    """'ok' or the Kafka error name a future failed with."""
    try:
        future.result(timeout=TIMEOUT_S)
        return "ok"
    except KafkaException as err:
        return err.args[0].name()


def admin(bootstrap, topic, partitions):
    client = AdminClient({"bootstrap.servers": bootstrap})
    out = {}
    [created] = client.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values()
    out["create"] = outcome(created)
    md = client.list_topics(timeout=TIMEOUT_S)
    out["listedAfterCreate"] = sorted(md.topics.keys())
    out["partitionsAfterCreate"] = len(md.topics[topic].partitions) if topic in md.topics else -1
    [again] = client.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)]).values()
    out["createAgain"] = outcome(again)
    [grown] = client.create_partitions([NewPartitions(topic, partitions + 2)]).values()
    out["createPartitions"] = outcome(grown)
    md = client.list_topics(topic=topic, timeout=TIMEOUT_S)
    out["partitionsAfterIncrease"] = len(md.topics[topic].partitions)
    [deleted] = client.delete_topics([topic]).values()
    out["delete"] = outcome(deleted)
    out["listedAfterDelete"] = sorted(client.list_topics(timeout=TIMEOUT_S).topics.keys())
    [missing] = client.delete_topics([topic + "-never-created"]).values()
    out["deleteMissing"] = outcome(missing)
    return out


def roundtrip(bootstrap, topic, compression, idempotent, messages):
    conf = {
        "bootstrap.servers": bootstrap,
        "acks": "all",
        "compression.type": compression,
        "linger.ms": 5,
    }
    if idempotent:
        conf["enable.idempotence"] = True
    producer = Producer(conf)
    produced = [None] * len(messages)
    errors = []

    def report(i):
        def done(err, msg):
            if err is not None:
                errors.append(str(err))
            else:
                produced[i] = [msg.partition(), msg.offset()]
        return done

    for i, m in enumerate(messages):
        kwargs = {"key": unhex(m["key"]), "value": unhex(m["value"]), "on_delivery": report(i)}
        if m["partition"] is not None:
            kwargs["partition"] = m["partition"]
        while True:
            try:
                producer.produce(topic, **kwargs)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(TIMEOUT_S)

    # No group coordination: manual assignment from the beginning, offsets never committed.
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "kafka-ts-interop-unused",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
    })
    md = consumer.list_topics(topic, timeout=TIMEOUT_S)
    partitions = sorted(md.topics[topic].partitions.keys())
    watermarks = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=TIMEOUT_S) for p in partitions}
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    consumed = []
    at_eof = set(p for p in partitions if watermarks[p][1] == 0)
    deadline = time.time() + 60
    while len(at_eof) < len(partitions) and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == -191:  # _PARTITION_EOF
                at_eof.add(msg.partition())
            else:
                errors.append(str(msg.error()))
            continue
        consumed.append({"partition": msg.partition(), "offset": msg.offset(), "key": tohex(msg.key()), "value": tohex(msg.value())})
    consumer.close()
    return {
        "partitions": partitions,
        "watermarks": {str(p): list(w) for p, w in watermarks.items()},
        "undelivered": remaining,
        "errors": errors,
        "produced": produced,
        "consumed": consumed,
    }


def main():
    mode, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "admin":
        result = admin(bootstrap, topic, int(sys.argv[4]))
    elif mode == "roundtrip":
        result = roundtrip(bootstrap, topic, sys.argv[4], sys.argv[5] == "1", json.load(sys.stdin))
    else:
        raise SystemExit("unknown mode " + mode)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
