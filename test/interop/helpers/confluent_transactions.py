"""confluent-kafka (Debian python3-confluent-kafka, librdkafka) transactions, driven by
test/interop/transactions.test.ts.

usage: confluent_transactions.py commit-abort BOOTSTRAP TOPIC
       confluent_transactions.py zombie BOOTSTRAP TOPIC
       confluent_transactions.py timeout BOOTSTRAP TOPIC
       confluent_transactions.py transform BOOTSTRAP IN OUT TRANSACTIONAL_ID GROUP
       confluent_transactions.py read-committed BOOTSTRAP TOPIC

Prints one JSON document on stdout (transform: progress lines "sent N", "committed N", then "done"); the
TypeScript test makes every assertion. Topics have one partition (transform's input may have more).
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

TIMEOUT_S = 30


def producer(bootstrap, transactional_id, **extra):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id, **extra})
    p.init_transactions(TIMEOUT_S)
    return p


def in_transaction(p, topic, values):
    p.begin_transaction()
    for v in values:
        p.produce(topic, value=v.encode())
    p.flush(TIMEOUT_S)


def read(bootstrap, topic, isolation, count):
    """The first `count` values of partition 0 read with isolation.level = isolation."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader", "enable.auto.commit": False, "isolation.level": isolation})
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values = []
    deadline = time.time() + TIMEOUT_S
    while len(values) < count and time.time() < deadline:
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        values.append(m.value().decode())
    c.close()
    return values


def read_committed(bootstrap, topic):
    """Every value of partition 0 a read_committed consumer gets before it reaches the partition's end (the LSO)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader", "enable.auto.commit": False,
                  "isolation.level": "read_committed", "enable.partition.eof": True})
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values = []
    deadline = time.time() + TIMEOUT_S
    while time.time() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                break
            continue
        values.append(m.value().decode())
    c.close()
    return values


def error_name(fn):
    """None when fn succeeds, else the name of the KafkaError it raised (and whether it is fatal)."""
    try:
        fn()
        return None
    except KafkaException as err:
        e = err.args[0]
        return {"name": e.name(), "fatal": e.fatal(), "abortable": e.txn_requires_abort()}


def commit_abort(bootstrap, topic):
    p = producer(bootstrap, "py-orders-tx")
    in_transaction(p, topic, ["c1", "c2"])
    p.commit_transaction(TIMEOUT_S)
    in_transaction(p, topic, ["a1"])
    p.abort_transaction(TIMEOUT_S)
    in_transaction(p, topic, ["c3"])
    p.commit_transaction(TIMEOUT_S)
    return {"committed": read(bootstrap, topic, "read_committed", 3), "uncommitted": read(bootstrap, topic, "read_uncommitted", 4)}


def zombie(bootstrap, topic):
    old = producer(bootstrap, "py-fence-tx")
    in_transaction(old, topic, ["zombie"])
    fresh = producer(bootstrap, "py-fence-tx")  # fences old: its open transaction is aborted
    out = {"zombieCommit": error_name(lambda: old.commit_transaction(TIMEOUT_S))}
    in_transaction(fresh, topic, ["fresh"])
    fresh.commit_transaction(TIMEOUT_S)
    out["committed"] = read(bootstrap, topic, "read_committed", 1)
    out["uncommitted"] = read(bootstrap, topic, "read_uncommitted", 2)
    return out


def timeout(bootstrap, topic):
    stuck = producer(bootstrap, "py-stuck-tx", **{"transaction.timeout.ms": 1000})
    in_transaction(stuck, topic, ["never"])
    other = producer(bootstrap, "py-other-tx")
    in_transaction(other, topic, ["after"])
    other.commit_transaction(TIMEOUT_S)
    # 'after' is behind the open transaction's first offset until the coordinator's timer aborts it.
    out = {"committed": read(bootstrap, topic, "read_committed", 1)}
    out["lateCommit"] = error_name(lambda: stuck.commit_transaction(TIMEOUT_S))
    return out


def transform(bootstrap, topic_in, topic_out, transactional_id, group):
    """Consume-transform-produce with send_offsets_to_transaction, one transaction per message."""
    p = producer(bootstrap, transactional_id)
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 6000,
    })
    c.subscribe([topic_in])
    md = c.list_topics(topic_in, timeout=TIMEOUT_S)
    ends = {}
    for partition in md.topics[topic_in].partitions:
        ends[partition] = c.get_watermark_offsets(TopicPartition(topic_in, partition), timeout=TIMEOUT_S)[1]
    n = 0
    while True:
        committed = c.committed([TopicPartition(topic_in, q) for q in ends], timeout=TIMEOUT_S)
        if all(tp.offset >= ends[tp.partition] for tp in committed):
            print("done", flush=True)
            return
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        p.begin_transaction()
        p.produce(topic_out, key=m.key(), value=m.value() + b"!")
        p.send_offsets_to_transaction([TopicPartition(topic_in, m.partition(), m.offset() + 1)], c.consumer_group_metadata(), TIMEOUT_S)
        p.flush(TIMEOUT_S)
        n += 1
        print("sent %d" % n, flush=True)
        p.commit_transaction(TIMEOUT_S)
        print("committed %d" % n, flush=True)


def main():
    mode, bootstrap = sys.argv[1], sys.argv[2]
    if mode == "transform":
        transform(bootstrap, *sys.argv[3:7])
        return
    modes = {"commit-abort": commit_abort, "zombie": zombie, "timeout": timeout, "read-committed": read_committed}
    result = modes[mode](bootstrap, sys.argv[3])
    print(json.dumps(result))


main()
