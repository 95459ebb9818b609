import time, jwt, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
k = Ed25519PrivateKey.generate()
open("jwt_public.pem","wb").write(k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
open("jwt_private.pem","wb").write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
open("token_rw","w").write(jwt.encode({"a":"rw","exp":int(time.time())+7200}, k, algorithm="EdDSA"))
open("token_ro","w").write(jwt.encode({"a":"ro","exp":int(time.time())+7200}, k, algorithm="EdDSA"))
