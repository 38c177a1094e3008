"""base64url without padding, as JOSE writes it.

Example::

    b64url_decode("eyJhIjoxfQ")  # b'{"a":1}'
"""

import base64
import binascii


def b64url_decode(text: str) -> bytes:
    """Decodes base64url with or without padding; raises ``ValueError`` on bad input.

    Example::

        b64url_decode("AQ")  # b"\\x01"
    """
    if not isinstance(text, str) or any(c in text for c in "+/= \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def b64url_encode(data: bytes) -> str:
    """Encodes bytes as unpadded base64url.

    Example::

        b64url_encode(b"\\x01")  # "AQ"
    """
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
