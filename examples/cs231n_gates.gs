# CS231n (Stanford), notes "Backpropagation, Intuitions", "Patterns in backward flow":
#   f = 2 * (x*y + max(z, w))  at  x = 3, y = -4, z = 2, w = -1
# The add gate distributes its gradient (2) to both inputs, the max gate routes it to the
# larger input (z gets 2, w gets 0), the multiply gate switches its inputs: the gradient on
# x is -8.00, which is -4.00 x 2.00, and on y it is 3.00 x 2.00 = 6.00.
# The gates' nodes are named after the gates: a node may take any name this file does not
# call as a function (mul and add here; max could not name a node, as max(z, w) is called).
x = 3
y = -4
z = 2
w = -1
mul = x * y
routed = max(z, w)
add = mul + routed
f = 2 * add
