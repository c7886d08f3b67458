"""kafka-python (Debian python3-kafka) driven by test/interop/python-clients.test.ts.

usage: kafka_python_client.py admin BOOTSTRAP TOPIC PARTITIONS
       kafka_python_client.py roundtrip BOOTSTRAP TOPIC COMPRESSION < messages.json

Prints one JSON document on stdout; the TypeScript test makes every assertion. Messages are
[{"key": hex|null, "value": hex|null, "partition": int|null}, ...]; bytes travel as hex so any
byte value survives.
"""
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewPartitions, NewTopic

COMMON = {"client_id": "kafka-ts-interop", "request_timeout_ms": 30000}


def unhex(value):
    return None if value is None else bytes.fromhex(value)


def tohex(value):
    return None if value is None else value.hex()


def admin(bootstrap, topic, partitions):
    client = KafkaAdminClient(bootstrap_servers=bootstrap, **COMMON)
    out = {}
    try:
        client.create_topics([NewTopic(name=topic, num_partitions=partitions, replication_factor=1)])
        out["listedAfterCreate"] = sorted(client.list_topics())
        described = client.describe_topics([topic])
        out["describedPartitions"] = sorted(p["partition"] for p in described[0]["partitions"])
        try:
            client.create_topics([NewTopic(name=topic, num_partitions=1, replication_factor=1)])
            out["createAgain"] = "ok"
        except Exception as err:  # the Kafka error class name is the observable outcome
            out["createAgain"] = type(err).__name__
        client.create_partitions({topic: NewPartitions(total_count=partitions + 2)})
        described = client.describe_topics([topic])
        out["partitionsAfterIncrease"] = len(described[0]["partitions"])
        client.delete_topics([topic])
        out["listedAfterDelete"] = sorted(client.list_topics())
    finally:
        client.close()
    return out


def roundtrip(bootstrap, topic, compression, messages):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        compression_type=None if compression == "none" else compression,
        linger_ms=5,
        **COMMON,
    )
    futures = [
        producer.send(topic, key=unhex(m["key"]), value=unhex(m["value"]), partition=m["partition"])
        for m in messages
    ]
    producer.flush()
    produced = []
    for f in futures:
        md = f.get(timeout=30)
        produced.append([md.partition, md.offset])
    producer.close()

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None, **COMMON)
    partitions = sorted(consumer.partitions_for_topic(topic) or [])
    assignment = [TopicPartition(topic, p) for p in partitions]
    consumer.assign(assignment)
    consumer.seek_to_beginning(*assignment)
    ends = consumer.end_offsets(assignment)
    consumed = []
    remaining = {tp for tp in assignment if ends[tp] > 0}
    idle_polls = 0
    while remaining and idle_polls < 50:
        batch = consumer.poll(timeout_ms=500)
        idle_polls = 0 if batch else idle_polls + 1
        for tp, records in batch.items():
            for r in records:
                consumed.append({"partition": r.partition, "offset": r.offset, "key": tohex(r.key), "value": tohex(r.value)})
            if consumer.position(tp) >= ends[tp]:
                remaining.discard(tp)
    consumer.close()
    return {
        "partitions": partitions,
        "endOffsets": {str(tp.partition): ends[tp] for tp in assignment},
        "produced": produced,
        "consumed": consumed,
    }


def main():
    mode, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "admin":
        result = admin(bootstrap, topic, int(sys.argv[4]))
    elif mode == "roundtrip":
        result = roundtrip(bootstrap, topic, sys.argv[4], json.load(sys.stdin))
    else:
        raise SystemExit("unknown mode " + mode)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
