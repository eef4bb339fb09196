"""moto's server for the `aws` vitest project (test/aws/global-setup.ts starts it).

It is `python3 -m moto.server` plus four AWS behaviours moto 5.x lacks, without which the adapters that rely on
them could not be proved (docs/aws-emulator.md lists these and every other difference that matters to Reversa):

1. DynamoDB conditional writes are atomic. moto serves requests on threads and evaluates a ConditionExpression
   and then writes, without a lock: two concurrent `attribute_not_exists(pk)` puts of one key can both succeed,
   which DynamoDB never allows and which the audit log's and the strategy store's no-fork appends rely on. Item
   writes here take one lock, so check and write happen as one step, as in DynamoDB.
2. KMS Sign with MessageType DIGEST signs the given digest as it is (AWS API_Sign: "KMS skips the hashing
   step"), where moto hashes it again, so its signatures would verify against sha256(digest) and never against
   the message (`openssl dgst -sha256 -verify`). The same fix is proposed upstream (getmoto/moto#10202). Only
   ECDSA keys are covered, the only kind Reversa signs with; anything else goes to moto unchanged.
3. CloudFormation's `Ref` of an AWS::Events::EventBus is the bus name. moto's EventBus has no physical resource id,
   so the Ref is the Python object itself: the stateful stack's EventBusName output reads
   `<moto.events.models.EventBus object at …>` and the workflows stack, which imports it, fails to create.
4. A resource without tags has an empty tag list. An ECS cluster or task definition created by moto's CloudFormation
   without Tags keeps `None`, and the Resource Groups Tagging API's GetResources then fails with a server error for
   every caller of the account and region (the deployment's restic cluster broke tagging-discovery's test).

It also answers in HTTP/1.1 with persistent connections, as AWS endpoints do, instead of werkzeug's default
HTTP/1.0 and a close after every response. (Node's fetch, in undici up to nodejs/undici#5474, crashes the process
with an uncatchable `assert(!this.paused)` when a server closes the connection while a response body is held
back by backpressure: `reversa dossier download` writing to a slow disk is such a reader.)
"""

import base64
import functools
import json
import sys
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from moto.dynamodb.models import DynamoDBBackend
from moto.ecs.models import Cluster, Service, TaskDefinition
from moto.events.models import EventBus
from moto.kms.exceptions import ValidationException
from moto.kms.responses import KmsResponse
from moto.kms.utils import ECDSAPrivateKey
from moto.server import main
from werkzeug.serving import WSGIRequestHandler

ITEM_WRITES = threading.RLock()


def atomic(write):
    @functools.wraps(write)
    def locked(*args, **kwargs):
        with ITEM_WRITES:
            return write(*args, **kwargs)

    return locked


for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
    setattr(DynamoDBBackend, name, atomic(getattr(DynamoDBBackend, name)))

# Signing algorithm -> the digest it expects (AWS: "the length of the Message value must match the length of
# hashed messages for the specified signing algorithm").
DIGESTS = {"ECDSA_SHA_256": hashes.SHA256, "ECDSA_SHA_384": hashes.SHA384, "ECDSA_SHA_512": hashes.SHA512}
moto_sign = KmsResponse.sign


def sign(self: KmsResponse) -> str:
    message_type = self._get_param("MessageType") or "RAW"
    if message_type not in ("RAW", "DIGEST"):
        raise ValidationException(
            f"1 validation error detected: Value '{message_type}' at 'messageType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [DIGEST, RAW]"
        )
    key_id = self._get_param("KeyId")
    algorithm = self._get_param("SigningAlgorithm")
    self._validate_key_id(key_id)
    key = self.kms_backend.describe_key(key_id)
    if message_type == "RAW" or not isinstance(key.private_key, ECDSAPrivateKey):
        return moto_sign(self)
    if key.key_usage != "SIGN_VERIFY" or algorithm not in key.signing_algorithms or algorithm not in DIGESTS:
        return moto_sign(self)  # moto's own checks refuse these with AWS's messages
    digest = self._get_param("Message")
    if isinstance(digest, str):
        digest = digest.encode("utf-8")
    hash_algorithm = DIGESTS[algorithm]()
    if len(digest) != hash_algorithm.digest_size:
        raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
    signature = key.private_key.private_key.sign(digest, ec.ECDSA(Prehashed(hash_algorithm)))
    return json.dumps(
        {"KeyId": key.arn, "Signature": base64.b64encode(signature).decode("utf-8"), "SigningAlgorithm": algorithm}
    )


KmsResponse.sign = sign
EventBus.physical_resource_id = property(lambda bus: bus.name)


def with_tag_list(model):
    created = model.__init__

    @functools.wraps(created)
    def init(self, *args, **kwargs):
        created(self, *args, **kwargs)
        if getattr(self, "tags", None) is None:
            self.tags = []

    model.__init__ = init


for model in (Cluster, Service, TaskDefinition):
    with_tag_list(model)
WSGIRequestHandler.protocol_version = "HTTP/1.1"

if __name__ == "__main__":
    main(sys.argv[1:])
