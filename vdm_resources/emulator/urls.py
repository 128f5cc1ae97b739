"""moto-style URL table, for registering the extended response with moto's own server.

The emulator's server does its own routing (botocore model via moto's router); this module
exists so the package mirrors moto's service layout and can be plugged into moto tooling.
"""

from moto.sesv2.urls import url_bases as moto_url_bases

from .responses import VdmSESV2Response

url_bases = list(moto_url_bases)

url_paths = {
    "{0}/v2/.*$": VdmSESV2Response.dispatch,
}
